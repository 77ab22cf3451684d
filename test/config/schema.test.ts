import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const schema = JSON.parse(readFileSync(join(root, "schema", "gateway.schema.json"), "utf8")) as {
  $schema: string;
  $defs: Record<string, { title?: string; description?: string; properties?: Record<string, { description?: string }> }>;
};

describe("schema/gateway.schema.json", () => {
  it("is what src/config/types.ts generates (run `npm run gen:schema` after changing the types)", () => {
    // Throws (exit 1) when the committed schema has drifted from the types.
    execFileSync(process.execPath, [join(root, "scripts", "gen-schema.mjs"), "--check"], { cwd: root, stdio: "pipe" });
  });

  it("is a JSON Schema 2020-12 document that ajv compiles strictly", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it("gives every definition a title and documents every property, so editors can show it", () => {
    const undocumented: string[] = [];
    for (const [name, def] of Object.entries(schema.$defs)) {
      expect(def.title).toBe(name);
      for (const [property, node] of Object.entries(def.properties ?? {})) {
        if (!node.description && property !== "type" && property !== "by") undocumented.push(`${name}.${property}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it("carries the defaults written as @default tags", () => {
    const listener = schema.$defs["Listener"]?.properties?.["address"] as { default?: unknown } | undefined;
    expect(listener?.default).toBe("0.0.0.0");
  });
});
