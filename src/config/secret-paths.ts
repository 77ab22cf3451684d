import type { ModelPath } from "./locate.ts";
import { deref, type SchemaNode } from "./schema.ts";

/** The schema definitions a secret reference (or a secret pasted in its place) is written at. */
const SECRET_DEFS = new Set(["SecretRef", "EnvSecretRef", "FileSecretRef"]);

/**
 * Whether `path` is where the schema takes a secret reference, or inside one: a value written
 * there may be the secret itself (pasted inline, or pasted where an env name belongs), so findings
 * about it never print it. Read from schema/gateway.schema.json, so a new secret field is covered.
 */
export function isSecretPath(path: ModelPath): boolean {
  return reaches({ $ref: "#/$defs/GatewayConfig" }, path, false);
}

/** Whether `path` is exactly where a secret reference goes: a text written there is the secret itself. */
export function isSecretRefPath(path: ModelPath): boolean {
  return reaches({ $ref: "#/$defs/GatewayConfig" }, path, true);
}

function reaches(written: SchemaNode, rest: ModelPath, exactly: boolean): boolean {
  const node = deref(written);
  if (typeof node["title"] === "string" && SECRET_DEFS.has(node["title"])) return !exactly || rest.length === 0;
  if (node.anyOf) return node.anyOf.some((branch) => reaches(branch, rest, exactly));
  const [segment, ...tail] = rest;
  if (segment === undefined) return false;
  const additional = node["additionalProperties"];
  const child = typeof segment === "number"
    ? (node["items"] as SchemaNode | undefined)
    : (node.properties?.[segment] ?? (typeof additional === "object" && additional !== null ? (additional as SchemaNode) : undefined));
  return child !== undefined && reaches(child, tail, exactly);
}
