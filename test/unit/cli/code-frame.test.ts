/**
 * The text report's code frame on long lines: a one-line JSON config or a minified file shows the
 * stretch around the column, cut with `…`, the caret still under the column; short lines whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clipped, formatDiagnostics } from "../../../src/cli/format.ts";

describe("code frames", () => {
  it("shows a short line whole", () => {
    expect(clipped("  name: web", 9)).toEqual({ shown: "  name: web", caret: 8 });
  });

  it("cuts a long line to the stretch around the column, the caret under it", () => {
    const line = `${"a".repeat(500)}HERE${"b".repeat(500)}`;
    const { shown, caret } = clipped(line, 501);
    expect(shown.startsWith("…") && shown.endsWith("…")).toBe(true);
    expect(shown.slice(caret, caret + 4)).toBe("HERE");
    expect(shown.length).toBeLessThan(130);
    // Near the start, nothing is cut before the column.
    const early = clipped(`xy${"c".repeat(400)}`, 2);
    expect([early.shown[early.caret], early.shown.startsWith("…"), early.shown.endsWith("…")]).toEqual(["y", false, true]);
  });

  it("keeps a one-line JSON config's report readable", () => {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-frame-"));
    try {
      const file = join(dir, "gateway.json");
      writeFileSync(file, JSON.stringify({ gateway: { name: "x" }, padding: "p".repeat(2000), apis: [{ name: "bad name" }] }));
      const column = JSON.stringify({ gateway: { name: "x" }, padding: "p".repeat(2000), apis: [{ name: "bad name" }] }).indexOf('"bad name"') + 1;
      const report = formatDiagnostics([{ code: "PCL2001", severity: "error", message: "bad", location: { file, line: 1, column } }], { format: "text", cwd: dir, color: false });
      const [, frame, caretLine] = report.split("\n");
      expect(frame!.length).toBeLessThan(140);
      expect(frame!.slice(caretLine!.indexOf("^"), caretLine!.indexOf("^") + 10)).toBe('"bad name"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
