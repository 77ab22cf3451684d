import { dirname, join, relative, resolve as resolvePath } from "node:path";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { LoadResult } from "../config/load.ts";
import { compileGateway } from "../compile.ts";
import { compareOutput, isUpToDate, writeOutput, type OutputComparison } from "../xds/output-dir.ts";
import { renderSnapshot } from "../xds/render.ts";

export interface OutputRequest {
  /** Compare with DIR instead of writing it. */
  readonly check: boolean;
  /** Output directory; default generated/ beside the config. */
  readonly out: string | undefined;
  readonly cwd: string;
}

export interface OutputResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Under --check: the output directory is missing or differs from a fresh compile. */
  readonly stale: boolean;
  /** Under --check: one PCL4020 finding per stale file (for machine-readable formats). */
  readonly staleFiles: readonly Diagnostic[];
  /** Human summary for stdout. */
  readonly report: string;
}

export function defaultOutputDir(configFile: string): string {
  return join(dirname(configFile), "generated");
}

/**
 * One finding per stale generated file, so `--format github` annotates the file in the pull
 * request and `--format json` lists it; the text report lists them more compactly.
 */
function staleFindings(dir: string, comparison: OutputComparison): Diagnostic[] {
  const finding = (path: string, what: string): Diagnostic => ({
    code: "PCL4020",
    severity: "error",
    message: `${what}: the generated output no longer matches the config`,
    hint: "run 'portcullis compile' and commit the result",
    location: { file: join(dir, path), line: 1, column: 1 },
  });
  return [
    ...comparison.missing.map((path) => finding(path, "missing")),
    ...comparison.changed.map((path) => finding(path, "differs from a fresh compile")),
    ...comparison.orphaned.map((path) => finding(path, "orphaned (the config no longer produces it)")),
  ];
}

function listChanges(comparison: OutputComparison): string[] {
  return [
    ...comparison.missing.map((path) => `  missing   ${path}`),
    ...comparison.changed.map((path) => `  differs   ${path}`),
    ...comparison.orphaned.map((path) => `  orphaned  ${path}`),
  ];
}

/**
 * The translation half of `compile`: translate the loaded config and write the output, or with
 * `check` say whether the committed output is current. Secrets are never read (placeholder mode):
 * the output never holds them, so CI needs none.
 */
export function compileOutput(loaded: LoadResult, request: OutputRequest): OutputResult {
  const config = loaded.config!;
  const compiled = compileGateway(config, (path, part) => loaded.locate(path, part), { file: loaded.file, secrets: "placeholder" });
  if (!compiled.snapshot || !compiled.ir) return { diagnostics: compiled.diagnostics, stale: false, staleFiles: [], report: "" };
  const dir = request.out ? resolvePath(request.cwd, request.out) : defaultOutputDir(loaded.file);
  const shown = relative(request.cwd, dir) || ".";
  const files = renderSnapshot(compiled.snapshot, compiled.ir.routes);
  if (request.check) {
    const comparison = compareOutput(dir, files);
    if (isUpToDate(comparison)) return { diagnostics: compiled.diagnostics, stale: false, staleFiles: [], report: `${shown}: up to date (${files.size} files)\n` };
    const report = [`${shown} is stale: run 'portcullis compile' and commit the result.`, ...listChanges(comparison)].join("\n");
    return { diagnostics: compiled.diagnostics, stale: true, staleFiles: staleFindings(dir, comparison), report: `${report}\n` };
  }
  const written = writeOutput(dir, files);
  const changes = listChanges(written);
  const summary = changes.length === 0 ? "already up to date" : `${written.missing.length} added, ${written.changed.length} updated, ${written.orphaned.length} removed`;
  return { diagnostics: compiled.diagnostics, stale: false, staleFiles: [], report: `${shown}: ${files.size} files, ${summary}\n` };
}
