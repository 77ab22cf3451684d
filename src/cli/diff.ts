import { existsSync } from "node:fs";
import { relative, resolve as resolvePath } from "node:path";
import { hasErrors } from "../config/diagnostics.ts";
import { compileGatewayFile } from "../compile.ts";
import { readOutput } from "../xds/output-dir.ts";
import { INDEX_FILE, renderSnapshot } from "../xds/render.ts";
import { diffRoutes, routeSummariesOf } from "../xds/route-diff.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { defaultOutputDir } from "./compile-output.ts";
import { formatDiagnostics } from "./format.ts";

const HELP = `Usage: portcullis diff [config] [--against DIR]

Compiles the gateway config and summarizes how its Envoy resources differ from the output in DIR
(default: generated/ beside the config, i.e. what is committed): resources added, removed and
changed, and for route configurations which routes change — paths, methods, versions, lifecycle,
access rules and targets.

Exit codes:
  0  compiled (whether or not anything differs)
  1  the config has errors
  2  usage error or internal error`;

/**
 * The summary lines: one per changed resource, with route details under route configurations.
 * Route details come from the route summaries in each side's index, so a route configuration whose
 * Envoy resource is unchanged can still show review-only changes (a public reason, say).
 */
export function describeDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const summaries = { before: routeSummariesOf(before.get(INDEX_FILE)), after: routeSummariesOf(after.get(INDEX_FILE)) };
  const lines: string[] = [];
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter((path) => path !== INDEX_FILE).sort();
  for (const path of paths) {
    const old = before.get(path);
    const now = after.get(path);
    const routes = path.startsWith("routes/") ? diffRoutes({ file: old, summaries: summaries.before }, { file: now, summaries: summaries.after }) : [];
    if (old === now && routes.length === 0) continue;
    const resource = path.replace(/\.yaml$/, "");
    lines.push(old === undefined ? `+ added    ${resource}` : now === undefined ? `- removed  ${resource}` : old === now ? `~ changed  ${resource} (review summary only)` : `~ changed  ${resource}`);
    lines.push(...routes);
  }
  if (before.has(INDEX_FILE) && summaries.before.size === 0 && summaries.after.size > 0) {
    lines.push(`note: the old ${INDEX_FILE} has no route summaries (compiled by an older Portcullis): old route details show as ?`);
  }
  return lines;
}

export const diffCommand: Command = {
  name: "diff",
  summary: "summarize what a config change does to the generated Envoy resources",
  help: HELP,
  async run(args) {
    const parsed = parseCommandArgs(args, { against: { type: "string" } });
    if (parsed.positionals.length > 1) throw new UsageError(`expected one config path, got ${parsed.positionals.length}`);
    const cwd = process.cwd();
    const result = await compileGatewayFile(parsed.positionals[0], { cwd, secrets: "placeholder" });
    if (result.diagnostics.length > 0) process.stdout.write(formatDiagnostics(result.diagnostics, { format: "text", cwd, color: process.stdout.isTTY === true }));
    if (!result.snapshot || !result.ir || hasErrors(result.diagnostics)) return ExitCode.findings;
    const dir = parsed.values.against ? resolvePath(cwd, parsed.values.against) : defaultOutputDir(result.file);
    // A mistyped --against would otherwise read as "everything is new".
    if (parsed.values.against && !existsSync(dir)) throw new UsageError(`--against ${parsed.values.against}: no such directory`);
    const lines = describeDiff(readOutput(dir), renderSnapshot(result.snapshot, result.ir.routes));
    const shown = relative(cwd, dir) || ".";
    process.stdout.write(lines.length === 0 ? `No changes against ${shown}.\n` : `Changes against ${shown}:\n${lines.join("\n")}\n`);
    return ExitCode.ok;
  },
};
