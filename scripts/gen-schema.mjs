#!/usr/bin/env node
// Generates schema/gateway.schema.json from src/config/types.ts, the single source of truth.
// `--check` exits 1 when the committed schema differs from what the types produce (CI drift guard).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaFile = join(root, "schema", "gateway.schema.json");
export const SCHEMA_ID = "https://portcullis.dev/schema/gateway.schema.json";

/** Builds the schema text: pure function of src/config/types.ts. */
export function generateSchemaText() {
  const raw = createGenerator({
    path: join(root, "src", "config", "types.ts"),
    tsconfig: join(root, "tsconfig.json"),
    type: "GatewayConfig",
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    additionalProperties: false,
    sortProps: true,
    skipTypeCheck: true,
  }).createSchema("GatewayConfig");
  return `${JSON.stringify(toDraft2020(raw), null, 2)}\n`;
}

// ts-json-schema-generator emits draft-07 `definitions`; editors and ajv/2020 want `$defs`.
function toDraft2020(raw) {
  const defs = {};
  for (const name of Object.keys(raw.definitions).sort()) {
    const def = rewriteRefs(raw.definitions[name]);
    defs[name] = { title: name, ...def };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: SCHEMA_ID,
    title: "Portcullis gateway config",
    description: "A Portcullis gateway: listeners, identities, providers, APIs, AI, prompts, MCP, zero trust, audit and policy.",
    $ref: "#/$defs/GatewayConfig",
    $defs: defs,
  };
}

function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "$ref" && typeof child === "string") {
      out.$ref = child.replace("#/definitions/", "#/$defs/");
    } else if (key === "markdownDescription") {
    } else {
      out[key] = rewriteRefs(child);
    }
  }
  return out;
}

if (import.meta.main) {
  const text = generateSchemaText();
  if (process.argv.includes("--check")) {
    let committed = "";
    try { committed = readFileSync(schemaFile, "utf8"); } catch { /* missing counts as drift */ }
    if (committed !== text) {
      console.error("schema/gateway.schema.json is out of date with src/config/types.ts; run `npm run gen:schema`.");
      process.exit(1);
    }
  } else {
    writeFileSync(schemaFile, text);
    console.log(`wrote ${schemaFile}`);
  }
}
