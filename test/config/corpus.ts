import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One expected finding: written as `expect: CODE LINE:COL [severity] message substring`. */
export interface Expectation {
  readonly code: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly severity: "error" | "warning" | undefined;
  readonly message: string;
}

export const INVALID_DIR = join(import.meta.dirname, "..", "fixtures", "invalid");

/**
 * Every config of the invalid corpus with what it must produce (from its header or a .expect
 * sidecar), and the secrets it pastes (`secret: VALUE`), which no report may print.
 */
export function invalidCorpus(): { file: string; expectations: Expectation[]; secrets: string[] }[] {
  return readdirSync(INVALID_DIR)
    .filter((name) => !name.endsWith(".expect"))
    .sort()
    .map((name) => {
      const file = join(INVALID_DIR, name);
      const sidecar = `${file}.expect`;
      const text = readFileSync(existsSync(sidecar) ? sidecar : file, "utf8");
      return { file, expectations: parseExpectations(text), secrets: [...text.matchAll(/secret: (.+)$/gm)].map((m) => (m[1] ?? "").trim()) };
    });
}

function parseExpectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const match of text.matchAll(/expect: (PCL\d{4}) (\d+|\?):(\d+|\?)(?: \[(error|warning)\])? (.+)$/gm)) {
    out.push({
      code: match[1] ?? "",
      line: match[2] === "?" ? undefined : Number(match[2]),
      column: match[3] === "?" ? undefined : Number(match[3]),
      severity: match[4] as Expectation["severity"],
      message: (match[5] ?? "").trim(),
    });
  }
  return out;
}
