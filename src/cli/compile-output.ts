import { dirname, isAbsolute, join, relative, resolve as resolvePath } from "node:path";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { LoadResult } from "../config/load.ts";
import { compileGateway } from "../compile.ts";
import type { WaivedFinding } from "../policy/run.ts";
import { UserError } from "../errors.ts";
import { compareOutput, isUpToDate, MANIFEST_FILE, writeOutput, type OutputComparison } from "../xds/output-dir.ts";
import { renderSnapshot } from "../xds/render.ts";
import { verifySnapshot } from "../verify/verify.ts";

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

/**
 * An output directory is compile's alone: one that holds the config (`--out .`, say) would mix
 * generated and hand-written files, so it is refused before anything is compared or written.
 */
function refuseDirectoryHoldingConfig(dir: string, shown: string, configFile: string, cwd: string): void {
  const inside = relative(dir, configFile);
  if (inside.startsWith("..") || isAbsolute(inside)) return;
  throw new UserError(
    `refusing ${shown} as the output directory: it holds the config ${relative(cwd, configFile)}, and generated files need a directory of their own; ` +
      "choose another with --out, or leave it out to use generated/ beside the config",
  );
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
  const compiled = compileGateway(config, (path, part) => loaded.locate(path, part), { file: loaded.file, secrets: "placeholder", reported: loaded.diagnostics });
  if (!compiled.snapshot || !compiled.ir) return { diagnostics: compiled.diagnostics, stale: false, staleFiles: [], report: "" };
  // Output that breaks an invariant is a compiler bug: reported, and never written or passed as current.
  const violations = verifySnapshot(compiled.snapshot, compiled.ir);
  if (violations.length > 0) return { diagnostics: [...compiled.diagnostics, ...violations], stale: false, staleFiles: [], report: "" };
  const waived = waivedLines(compiled.waived ?? []);
  const dir = request.out ? resolvePath(request.cwd, request.out) : defaultOutputDir(loaded.file);
  const shown = relative(request.cwd, dir) || ".";
  refuseDirectoryHoldingConfig(dir, shown, loaded.file, request.cwd);
  const files = renderSnapshot(compiled.snapshot, compiled.ir.routes);
  if (request.check) {
    const comparison = compareOutput(dir, files);
    if (isUpToDate(comparison)) return { diagnostics: compiled.diagnostics, stale: false, staleFiles: [], report: `${waived}${shown}: up to date (${files.size} files)\n` };
    const report = [`${shown} is stale: run 'portcullis compile' and commit the result.`, ...listChanges(comparison)].join("\n");
    return { diagnostics: compiled.diagnostics, stale: true, staleFiles: staleFindings(dir, comparison), report: `${waived}${report}\n` };
  }
  const written = writeOutput(dir, files);
  // The summary counts resource files; the manifest is named only when it is new.
  const count = (paths: string[]) => paths.filter((path) => path !== MANIFEST_FILE).length;
  const manifest = written.missing.includes(MANIFEST_FILE) ? `, ${MANIFEST_FILE} added (commit it: it lists the files compile owns here)` : "";
  const summary = isUpToDate(written) ? "already up to date" : `${count(written.missing)} added, ${count(written.changed)} updated, ${written.orphaned.length} removed${manifest}`;
  return { diagnostics: compiled.diagnostics, stale: false, staleFiles: [], report: `${waived}${shown}: ${files.size} files, ${summary}\n` };
}

/** Policy findings accepted by waivers, one line each, so review sees what is accepted and until when. */
function waivedLines(waived: readonly WaivedFinding[]): string {
  return waived.map((w) => `waived ${w.rule} at ${w.target} until ${w.expires} (owner ${w.owner}): ${w.message}\n`).join("");
}
