import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { type Diagnostic, locationText, type SourceLocation } from "../config/diagnostics.ts";
import { isSecretPath } from "../config/secret-paths.ts";

export type OutputFormat = "text" | "json" | "github";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["text", "json", "github"];

export interface FormatOptions {
  readonly format: OutputFormat;
  /** Paths are printed relative to this directory. */
  readonly cwd: string;
  /** ANSI colors; only when writing to a terminal. */
  readonly color: boolean;
}

/** Renders every diagnostic of a run in the requested format; the result ends with a newline. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  switch (options.format) {
    case "json":
      return `${JSON.stringify({ diagnostics: diagnostics.map((d) => withRelativeFile(d, options.cwd)) }, null, 2)}\n`;
    case "github":
      return diagnostics.map((d) => `${githubAnnotation(d, options.cwd)}\n`).join("");
    case "text":
      return textReport(diagnostics, options);
  }
}

function withRelativeFile(d: Diagnostic, cwd: string): Diagnostic {
  return d.location ? { ...d, location: { ...d.location, file: displayPath(d.location.file, cwd) } } : d;
}

function displayPath(file: string, cwd: string): string {
  const path = relative(cwd, file);
  return path && !path.startsWith("..") ? path : file;
}

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
function githubAnnotation(d: Diagnostic, cwd: string): string {
  const level = d.severity === "error" ? "error" : "warning";
  const where = d.location
    ? `file=${escapeProperty(displayPath(d.location.file, cwd))},line=${d.location.line},col=${d.location.column},`
    : "";
  const text = d.hint ? `${d.message} — ${d.hint}` : d.message;
  return `::${level} ${where}title=${escapeProperty(d.code)}::${escapeData(text)}`;
}

function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

const ansi = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const COLORS = { red: ansi("31"), yellow: ansi("33"), cyan: ansi("36"), dim: ansi("2"), bold: ansi("1") };
const PLAIN = { red: String, yellow: String, cyan: String, dim: String, bold: String };

function textReport(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  const c = options.color ? COLORS : PLAIN;
  const sources = new Map<string, string[] | undefined>();
  const secrets = secretSpans(diagnostics);
  const blocks = diagnostics.map((d) => {
    const severity = d.severity === "error" ? c.red("error") : c.yellow("warning");
    const where = d.location ? `${c.cyan(locationText({ ...d.location, file: displayPath(d.location.file, options.cwd) }))}: ` : "";
    const lines = [`${where}${severity} ${c.dim(d.code)}: ${c.bold(d.message)}`];
    if (d.location) lines.push(...codeFrame(d.location, sources, secrets, c.red));
    if (d.hint) lines.push(`  ${c.cyan("hint")}: ${d.hint}`);
    return lines.join("\n");
  });
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const summary = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
  return `${[...blocks, summary].join("\n\n")}\n`;
}

/** A stretch of one source line that holds a secret: columns [start, end), end undefined = to the line's end. */
interface Span {
  readonly start: number;
  readonly end: number | undefined;
}

const REDACTED = "[redacted]";

/**
 * Where the findings of this run say a secret was pasted: the located value of every config-stage
 * finding (PCL1xxx–PCL3xxx) at a secret reference's place, such as an inline secret (PCL3010). Later
 * stages point at references that passed validation ({ env: NAME }), which hold no secret.
 */
function secretSpans(diagnostics: readonly Diagnostic[]): Map<string, Span[]> {
  const spans = new Map<string, Span[]>();
  for (const d of diagnostics) {
    if (!d.location || !(d.secretValue || (d.path && /^PCL[123]/.test(d.code) && isSecretPath(d.path)))) continue;
    const { file, line, column, endLine, endColumn } = d.location;
    const key = `${file}:${line}`;
    spans.set(key, [...(spans.get(key) ?? []), { start: column, end: endLine === line ? endColumn : undefined }]);
  }
  return spans;
}

/** The line with every secret span replaced, and where `column` moved to. */
function masked(source: string, spans: readonly Span[], column: number): { text: string; column: number } {
  let text = source;
  let shift = 0;
  for (const span of [...spans].sort((a, b) => b.start - a.start)) {
    const end = Math.min(span.end ?? text.length + 1, source.length + 1);
    if (end <= span.start) continue;
    text = `${text.slice(0, span.start - 1)}${REDACTED}${text.slice(end - 1)}`;
    if (column >= end) shift += REDACTED.length - (end - span.start);
    else if (column > span.start) shift -= column - span.start;
  }
  return { text, column: column + shift };
}

/** The offending source line with a caret under the column (secrets masked), or nothing if the file is unreadable. */
function codeFrame(location: SourceLocation, cache: Map<string, string[] | undefined>, secrets: Map<string, Span[]>, mark: (s: string) => string): string[] {
  const { file, line } = location;
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, "utf8").split(/\r?\n/));
    } catch {
      cache.set(file, undefined);
    }
  }
  const source = cache.get(file)?.[line - 1];
  if (source === undefined) return [];
  const { text, column } = masked(source, secrets.get(`${file}:${line}`) ?? [], location.column);
  const gutter = String(line);
  const { shown, caret } = clipped(text.replaceAll("\t", " "), column);
  return [`  ${gutter} | ${shown}`, `  ${" ".repeat(gutter.length)} | ${" ".repeat(caret)}${mark("^")}`];
}

/** Characters of a long line shown on each side of the column (a one-line JSON config, a minified file). */
const FRAME_CONTEXT = 60;

/** The part of the line around `column` (1-based), with `…` where it is cut, and the caret's offset in it. */
export function clipped(line: string, column: number): { shown: string; caret: number } {
  const at = Math.max(0, column - 1);
  if (line.length <= 2 * FRAME_CONTEXT + 20) return { shown: line, caret: at };
  const start = Math.max(0, at - FRAME_CONTEXT);
  const end = Math.min(line.length, at + FRAME_CONTEXT);
  const head = start > 0 ? "…" : "";
  return { shown: `${head}${line.slice(start, end)}${end < line.length ? "…" : ""}`, caret: head.length + at - start };
}
