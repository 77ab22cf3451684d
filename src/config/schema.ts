import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A JSON Schema node, loosely typed: the schema is data generated from types.ts. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly $ref?: string;
  readonly description?: string;
  readonly [keyword: string]: unknown;
}

export interface GatewaySchema extends SchemaNode {
  readonly $id: string;
  readonly $defs: Readonly<Record<string, SchemaNode>>;
}

// In a source checkout this file is src/config/schema.ts; in the package it is dist/src/config/schema.js.
const CANDIDATES = ["../../schema/gateway.schema.json", "../../../schema/gateway.schema.json"];

let cached: GatewaySchema | undefined;

/** Where schema/gateway.schema.json is in this installation. */
export function schemaFilePath(): string {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error("schema/gateway.schema.json is missing from the Portcullis installation");
}

/** The committed schema/gateway.schema.json, generated from types.ts by `npm run gen:schema`. */
export function gatewaySchema(): GatewaySchema {
  cached ??= JSON.parse(readFileSync(schemaFilePath(), "utf8")) as GatewaySchema;
  return cached;
}

/** Follows a local `$ref` ("#/$defs/Name") to its definition. */
export function deref(node: SchemaNode): SchemaNode {
  const ref = node.$ref;
  if (!ref?.startsWith("#/$defs/")) return node;
  return gatewaySchema().$defs[ref.slice("#/$defs/".length)] ?? node;
}
