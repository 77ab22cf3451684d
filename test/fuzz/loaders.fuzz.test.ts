import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { hasErrors, type Diagnostic } from "../../src/config/diagnostics.ts";
import { loadConfig, type LoadResult } from "../../src/config/load.ts";
import { validateConfig } from "../../src/config/validate.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Bounded so the suite stays quick on a shared two-core machine; raise locally to dig deeper.
const RUNS = Number(process.env["FUZZ_RUNS"] ?? 150);

let counter = 0;
async function loadText(text: string, extension: "yaml" | "json"): Promise<LoadResult> {
  const file = join(dir, `case-${counter++}.${extension}`);
  writeFileSync(file, text);
  return loadConfig(file, { today: "2026-06-01" });
}

/** The loader's contract: a model and no errors, or errors and no model; every finding located. */
function expectWellFormed(result: LoadResult): void {
  expect(result.config === undefined).toBe(hasErrors(result.diagnostics));
  for (const d of result.diagnostics) expectLocated(d);
}

function expectLocated(d: Diagnostic): void {
  expect(d.code).toMatch(/^PCL\d{4}$/);
  expect(d.message.length).toBeGreaterThan(0);
  expect(d.location?.line).toBeGreaterThanOrEqual(1);
  expect(d.location?.column).toBeGreaterThanOrEqual(1);
}

const yamlish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.constantFrom("gateway:", "  name: x", "  listeners:", "    - port: 1", "apis: [", "]", "{", "}", "&a", "*a", "<<: *a", "- ", "? ", ": ", "'", '"', "\t", "---", "%YAML 1.2", "!!binary", "#"), { maxLength: 30 }).map((parts) => parts.join("\n")),
);

describe("config loaders under fuzzing", () => {
  it("never throw on arbitrary YAML text", async () => {
    await fc.assert(fc.asyncProperty(yamlish, async (text) => expectWellFormed(await loadText(text, "yaml"))), { numRuns: RUNS });
  });

  it("never throw on arbitrary JSON text", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json()), async (text) => expectWellFormed(await loadText(text, "json"))), { numRuns: RUNS });
  });

  it("never throw on arbitrary JSON values written as YAML or JSON", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), fc.boolean(), async (value, asYaml) => {
        const text = asYaml ? stringify(value) : JSON.stringify(value);
        expectWellFormed(await loadText(text, asYaml ? "yaml" : "json"));
      }),
      { numRuns: RUNS },
    );
  });

  it("validate a valid gateway with any part replaced by arbitrary data without throwing", async () => {
    const loaded = await loadConfig(join(import.meta.dirname, "..", "fixtures", "equivalent", "gateway.json"));
    const base = loaded.config;
    expect(base).toBeDefined();
    const paths = allPaths(base);
    await fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), (path, replacement) => {
        const mutated = structuredClone(base) as unknown;
        setAt(mutated, path, replacement);
        // The base file's own locator: a finding about any part of the config must land on that
        // part's line (line 1 of the file is only the opening brace), not fall back to 1:1.
        const findings = validateConfig(mutated, loaded.locate, { file: loaded.file, today: "2026-06-01" });
        for (const d of findings) {
          expectLocated(d);
          if ((d.path?.length ?? 0) > 0) expect(d.location?.line, `${d.code} at ${JSON.stringify(d.path)}`).toBeGreaterThan(1);
        }
      }),
      { numRuns: RUNS * 4 },
    );
  });
});

function allPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => allPaths(child, [...prefix, key]))];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  if (path.length === 0) return;
  let node = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}
