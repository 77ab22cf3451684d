import { basename, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../../src/config/codes.ts";
import { loadConfig } from "../../src/config/load.ts";
import { formatDiagnostics, OUTPUT_FORMATS } from "../../src/cli/format.ts";
import { invalidCorpus } from "./corpus.ts";

const TODAY = "2026-06-01";
const corpus = invalidCorpus();

describe("invalid config corpus", () => {
  it("holds at least 40 configs in YAML, JSON, TypeScript and JavaScript", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    const extensions = new Set(corpus.map(({ file }) => file.slice(file.lastIndexOf("."))));
    expect([...extensions].sort()).toEqual([".json", ".mjs", ".ts", ".yaml"]);
  });

  it.each(corpus.map((entry) => [basename(entry.file), entry] as const))("%s", async (_name, { file, expectations, secrets }) => {
    expect(expectations.length, "each fixture states what it must produce").toBeGreaterThan(0);
    const result = await loadConfig(file, { today: TODAY });
    // One finding per mistake: nothing beyond what the fixture expects (no echo of the same mistake).
    expect(result.diagnostics.map((d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.message}`)).toHaveLength(expectations.length);
    for (const want of expectations) {
      const got = result.diagnostics.filter((d) => d.code === want.code);
      expect(got.map((d) => d.message).join("\n"), `a ${want.code} finding`).toContain(want.message);
      const match = got.find((d) => d.message.includes(want.message));
      expect(match?.location && `${match.location.line}:${match.location.column}`).toBe(`${want.line}:${want.column}`);
      expect(match?.severity).toBe(want.severity ?? CODES[want.code as keyof typeof CODES].severity);
    }
    for (const d of result.diagnostics) {
      expect(d.location?.file, `${d.code} is located in the config`).toBe(file);
      expect(d.message).not.toMatch(/\n\s+at /);
      expect(Object.keys(CODES)).toContain(d.code);
    }
    // A pasted secret never reaches the terminal, CI annotations or JSON: not in a message, not in a code frame.
    for (const format of OUTPUT_FORMATS) {
      const report = formatDiagnostics(result.diagnostics, { format, cwd: dirname(file), color: false });
      for (const secret of secrets) expect(report, `${format} report`).not.toContain(secret);
    }
    if (expectations.some((e) => (e.severity ?? CODES[e.code as keyof typeof CODES].severity) === "error")) {
      expect(result.config).toBeUndefined();
    }
  });
});
