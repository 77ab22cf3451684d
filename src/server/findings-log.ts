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

/** The warnings' keys of a compile's findings, made when the next compile first needs them. */
const warningKeys = new WeakMap<readonly Diagnostic[], ReadonlySet<string>>();

function warningsOf(diagnostics: readonly Diagnostic[]): ReadonlySet<string> {
  let keys = warningKeys.get(diagnostics);
  if (!keys) warningKeys.set(diagnostics, (keys = new Set(diagnostics.filter((diagnostic) => diagnostic.severity !== "error").map(findingKey))));
  return keys;
}

/** The same warning, found without writing its key: policy writes an unchanged finding's message once, so equal messages are mostly one string. */
function sameWarning(a: Diagnostic, b: Diagnostic | undefined): boolean {
  const path = a.path;
  return (
    b !== undefined && a.severity !== "error" && a.severity === b.severity && a.code === b.code && a.message === b.message &&
    path !== undefined && path.length === b.path?.length && path.every((part, index) => part === b.path![index])
  );
}

/**
 * How many warnings at the start and at the end of `diagnostics` are those of `before` at the same
 * places: the findings of a recompile after a small edit, where only the middle needs keys.
 */
function sameEnds(diagnostics: readonly Diagnostic[], before: readonly Diagnostic[]): { head: number; tail: number } {
  const most = Math.min(diagnostics.length, before.length);
  let head = 0;
  while (head < most && sameWarning(diagnostics[head]!, before[head])) head++;
  let tail = 0;
  while (head + tail < most && sameWarning(diagnostics[diagnostics.length - 1 - tail]!, before[before.length - 1 - tail])) tail++;
  return { head, tail };
}

/** Logs `diagnostics` of `file`; `before` are the findings of its last compile. */
export function logFindings(log: Logger, file: string, diagnostics: readonly Diagnostic[], before: readonly Diagnostic[]): void {
  const { head, tail } = sameEnds(diagnostics, before);
  let unchanged = head + tail;
  for (let index = head; index < diagnostics.length - tail; index++) {
    const diagnostic = diagnostics[index]!;
    if (diagnostic.severity !== "error" && warningsOf(before).has(findingKey(diagnostic))) unchanged++;
    else log[diagnostic.severity === "error" ? "error" : "warn"](formatDiagnostic(diagnostic), { code: diagnostic.code, file });
  }
  if (unchanged > 0) log.info(`${unchanged} warning${unchanged === 1 ? "" : "s"} as in the last compile, not repeated (/status lists every finding)`, { file, unchanged });
}
