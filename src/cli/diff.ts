import { readFileSync } from "node:fs";
import { join, relative, resolve as resolvePath } from "node:path";
import { hasErrors } from "../config/diagnostics.ts";
import { compileGatewayFile } from "../compile.ts";
import { listYamlFiles } from "../xds/output-dir.ts";
import { renderSnapshot } from "../xds/render.ts";
import { diffRoutes } from "../xds/route-diff.ts";
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

function readOld(dir: string): Map<string, string> {
  return new Map(listYamlFiles(dir).map((path) => [path, readFileSync(join(dir, path), "utf8")]));
}

/** The summary lines: one per changed resource, with route details under route configurations. */
export function describeDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter((path) => path !== "index.yaml").sort();
  for (const path of paths) {
    const old = before.get(path);
    const now = after.get(path);
    if (old === now) continue;
    const resource = path.replace(/\.yaml$/, "");
    lines.push(old === undefined ? `+ added    ${resource}` : now === undefined ? `- removed  ${resource}` : `~ changed  ${resource}`);
    if (path.startsWith("routes/")) lines.push(...diffRoutes(old, now));
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
    if (!result.snapshot || hasErrors(result.diagnostics)) return ExitCode.findings;
    const dir = parsed.values.against ? resolvePath(cwd, parsed.values.against) : defaultOutputDir(result.file);
    const lines = describeDiff(readOld(dir), renderSnapshot(result.snapshot));
    const shown = relative(cwd, dir) || ".";
    process.stdout.write(lines.length === 0 ? `No changes against ${shown}.\n` : `Changes against ${shown}:\n${lines.join("\n")}\n`);
    return ExitCode.ok;
  },
};
