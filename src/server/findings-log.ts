/**
 * What serve writes about a compile's findings: every error, and the warnings the last compile of
 * the same file did not have. A reload of a large config would otherwise write its hundred
 * unchanged warnings again on every save, and look each one up in the text to do it; /status
 * lists them all.
 */
import { type Diagnostic, locationText } from "../config/diagnostics.ts";
import type { Logger } from "./log.ts";

/** The same finding in two compiles: its code, message and place in the config (by path where it has one: an edit above it moves its line). */
function findingKey(diagnostic: Diagnostic): string {
  // The path first: a policy finding is placed in the text only when its location is read.
  if (diagnostic.path) return `${diagnostic.code}\0${diagnostic.message}\0${JSON.stringify(diagnostic.path)}`;
  const location = diagnostic.location;
  return `${diagnostic.code}\0${diagnostic.message}\0${location ? locationText(location) : ""}`;
}

/** `file:line:col: error PCL1001: message (hint)` — the same shape the CLI prints. */
function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.location ? `${locationText(diagnostic.location)}: ` : "";
  const hint = diagnostic.hint ? ` (${diagnostic.hint})` : "";
  return `${where}${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}${hint}`;
}

/** The warnings' keys of a compile's findings, kept from when they were logged: the next compile compares with them. */
const warningKeys = new WeakMap<readonly Diagnostic[], ReadonlySet<string>>();

function warningsOf(diagnostics: readonly Diagnostic[]): ReadonlySet<string> {
  let keys = warningKeys.get(diagnostics);
  if (!keys) warningKeys.set(diagnostics, (keys = new Set(diagnostics.filter((diagnostic) => diagnostic.severity !== "error").map(findingKey))));
  return keys;
}

/** Logs `diagnostics` of `file`; `before` are the findings of its last compile. */
export function logFindings(log: Logger, file: string, diagnostics: readonly Diagnostic[], before: readonly Diagnostic[]): void {
  const known = warningsOf(before);
  const keys = new Set<string>();
  let unchanged = 0;
  for (const diagnostic of diagnostics) {
    const key = diagnostic.severity === "error" ? undefined : findingKey(diagnostic);
    if (key !== undefined) keys.add(key);
    if (key !== undefined && known.has(key)) unchanged++;
    else log[diagnostic.severity === "error" ? "error" : "warn"](formatDiagnostic(diagnostic), { code: diagnostic.code, file });
  }
  warningKeys.set(diagnostics, keys);
  if (unchanged > 0) log.info(`${unchanged} warning${unchanged === 1 ? "" : "s"} as in the last compile, not repeated (/status lists every finding)`, { file, unchanged });
}
