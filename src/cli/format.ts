import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Diagnostic } from "../config/diagnostics.ts";

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
  const blocks = diagnostics.map((d) => {
    const severity = d.severity === "error" ? c.red("error") : c.yellow("warning");
    const where = d.location ? `${c.cyan(`${displayPath(d.location.file, options.cwd)}:${d.location.line}:${d.location.column}`)}: ` : "";
    const lines = [`${where}${severity} ${c.dim(d.code)}: ${c.bold(d.message)}`];
    if (d.location) lines.push(...codeFrame(d.location.file, d.location.line, d.location.column, sources, c.red));
    if (d.hint) lines.push(`  ${c.cyan("hint")}: ${d.hint}`);
    return lines.join("\n");
  });
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const summary = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
  return `${[...blocks, summary].join("\n\n")}\n`;
}

/** The offending source line with a caret under the column, or nothing if the file is unreadable. */
function codeFrame(file: string, line: number, column: number, cache: Map<string, string[] | undefined>, mark: (s: string) => string): string[] {
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, "utf8").split(/\r?\n/));
    } catch {
      cache.set(file, undefined);
    }
  }
  const source = cache.get(file)?.[line - 1];
  if (source === undefined) return [];
  const gutter = String(line);
  const shown = source.replaceAll("\t", " ");
  return [`  ${gutter} | ${shown}`, `  ${" ".repeat(gutter.length)} | ${" ".repeat(Math.max(0, column - 1))}${mark("^")}`];
}
