/**
 * Golden tests: test/golden/<case>/gateway.yaml compiles to the files in <case>/expected/ (one per
 * xDS type, plus the diagnostics). `UPDATE_GOLDEN=1` rewrites them and deletes orphans; otherwise
 * any difference fails. Every case's output must also pass real `envoy --mode validate`.
 */
import { readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { compileGatewayFile, type CompileResult } from "../../src/compile.ts";
import { compareOutput, writeOutput } from "../../src/xds/output-dir.ts";
import { renderByType } from "../../src/xds/render.ts";
import { validateSnapshot } from "../../src/xds/static-bootstrap-file.ts";

const here = dirname(fileURLToPath(import.meta.url));
const update = process.env["UPDATE_GOLDEN"] === "1";
const cases = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, "gateway.yaml")))
  .map((entry) => entry.name)
  .sort();

/** Env secrets of the golden cases: fixed, so output never depends on the machine. */
const ENV = { GOLDEN_TOKEN: "golden-token-value" };

function expectedFiles(result: CompileResult): Map<string, string> {
  const files = result.snapshot ? renderByType(result.snapshot) : new Map<string, string>();
  const diagnostics = result.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, at: d.location ? `${d.location.line}:${d.location.column}` : "" }));
  files.set("diagnostics.yaml", stringify(diagnostics));
  return files;
}

const compiled = new Map<string, CompileResult>();
afterAll(() => compiled.clear());

describe("golden", () => {
  it("has at least 20 cases", () => expect(cases.length).toBeGreaterThanOrEqual(20));

  for (const name of cases) {
    it(name, async () => {
      const dir = join(here, name);
      const result = await compileGatewayFile(join(dir, "gateway.yaml"), { env: ENV });
      compiled.set(name, result);
      expect(result.diagnostics.filter((d) => d.severity === "error"), "golden cases compile without errors").toEqual([]);
      const files = expectedFiles(result);
      const expectedDir = join(dir, "expected");
      if (update) writeOutput(expectedDir, files);
      expect(compareOutput(expectedDir, files), `golden output of ${name} is stale: run UPDATE_GOLDEN=1`).toEqual({ missing: [], changed: [], orphaned: [] });
    });
  }

  it("every case passes envoy --mode validate", { timeout: 120_000 }, async () => {
    const pending = [...compiled].filter(([, result]) => result.snapshot);
    expect(pending.length).toBe(cases.length);
    const failures: string[] = [];
    // Two at a time: the machine has two cores.
    const worker = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const verdict = await validateSnapshot(next[1].snapshot!);
        if (!verdict.ok) failures.push(`${next[0]}: ${verdict.message}`);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  });
});
