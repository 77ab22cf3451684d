import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildCatalog, type CatalogSource } from "../catalog/build.ts";
import { renderCatalogPage } from "../catalog/page.ts";
import { compileGatewayFile } from "../compile.ts";
import { hasErrors } from "../config/diagnostics.ts";
import type { Diagnostic } from "../config/diagnostics.ts";
import { UserError } from "../errors.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";

const HELP = `Usage: portcullis catalog [config ...] --out DIR

Builds the API catalog as a static site in DIR: index.html (one self-contained page, no external
asset: open it from disk or publish it anywhere) and catalog.json (the same data for tools).
APIs are grouped by owning team, each version with its lifecycle badge and sunset date, the URLs
to call, who may call each route and method (the access matrix \`portcullis explain\` prints),
rate limits, AI models with their prices, and the operations of each API's OpenAPI document.
Several configs make one catalog of several gateways. \`portcullis serve\` shows the same page at
/catalog on its admin port.

Only index.html and catalog.json are written; nothing else in DIR is touched. Secrets are not read.
Exit codes: 0 written, 1 a config has errors (a declared OpenAPI document that is missing or not
OpenAPI is one), 2 usage error.

Example:
  portcullis catalog gateway.yaml --out site/`;

function ensureDirectory(dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} is a file, not a directory`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(dir, { recursive: true });
  }
}

export const catalogCommand: Command = {
  name: "catalog",
  summary: "build the API catalog: a static, searchable site of APIs, versions, access and models",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { out: { type: "string" } });
    if (!values.out) throw new UsageError("--out DIR is required: the directory the site is written to");
    const cwd = process.cwd();
    const paths = positionals.length > 0 ? positionals : [undefined];
    const sources: CatalogSource[] = [];
    const findings: Diagnostic[] = [];
    for (const path of paths) {
      const result = await compileGatewayFile(path, { cwd, secrets: "placeholder" });
      findings.push(...result.diagnostics);
      if (result.ir && !hasErrors(result.diagnostics)) sources.push({ ir: result.ir, file: result.file, ...(result.locate ? { locate: result.locate } : {}) });
    }
    const { data, diagnostics } = buildCatalog(sources);
    findings.push(...diagnostics);
    if (findings.length > 0) process.stderr.write(formatDiagnostics(findings, { format: "text", cwd, color: process.stderr.isTTY === true }));
    if (hasErrors(findings)) return ExitCode.findings;
    const dir = resolve(cwd, values.out);
    ensureDirectory(dir);
    writeFileSync(join(dir, "index.html"), renderCatalogPage(data));
    writeFileSync(join(dir, "catalog.json"), `${JSON.stringify(data, null, 2)}\n`);
    process.stdout.write(`${values.out}: catalog of ${data.gateways.map((g) => g.name).join(", ")} written (index.html, catalog.json)\n`);
    return ExitCode.ok;
  },
};
