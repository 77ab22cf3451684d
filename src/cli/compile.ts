import { hasErrors } from "../config/diagnostics.ts";
import { loadConfig } from "../config/load.ts";
import { compileOutput } from "./compile-output.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics, OUTPUT_FORMATS, type OutputFormat } from "./format.ts";

const HELP = `Usage: portcullis compile [config] [--out DIR] [--check] [--format text|json|github]

Loads the gateway config (type-checks gateway.config.ts), validates it, reports every finding and
writes the Envoy resources it compiles to: one YAML file per resource and an index (names, versions).
Without a path, looks for gateway.config.ts, gateway.config.mjs/.js, gateway.yaml, gateway.yml,
gateway.json in the working directory; a directory path is searched the same way.

Options:
  --out DIR          where the generated resources go (default: generated/ beside the config). DIR is
                     compile's own: its .portcullis-manifest lists the files compile wrote, the only
                     ones it rewrites or removes; a DIR holding the config or other files is refused
  --check            write nothing; fail when DIR is missing or stale, listing what differs (CI);
                     files in DIR that its manifest does not list are not compile's and are ignored
  --format FORMAT    text (default; a code frame per finding), json, or github (Actions annotations)

Exit codes:
  0  clean (warnings allowed)
  1  the config has errors, or (with --check) DIR is missing or stale
  2  usage error (DIR refused, for one) or internal error

Examples:
  portcullis compile --check
  portcullis compile --check examples/quickstart/gateway.yaml --format github`;

export const compileCommand: Command = {
  name: "compile",
  summary: "compile a gateway config to Envoy resources in generated/ (--check: the pull-request gate)",
  help: HELP,
  async run(args) {
    const options = parseCompileArgs(args);
    const cwd = process.cwd();
    const loaded = await loadConfig(options.config, { cwd });
    // The loader hands back a config only when it has no errors.
    const translated = loaded.config ? compileOutput(loaded, { check: options.check, out: options.out, cwd }) : undefined;
    const diagnostics = [...loaded.diagnostics, ...(translated?.diagnostics ?? []), ...(options.format === "text" ? [] : (translated?.staleFiles ?? []))];
    const output = formatDiagnostics(diagnostics, { format: options.format, cwd, color: options.format === "text" && process.stdout.isTTY === true });
    if (diagnostics.length > 0 || options.format === "json") process.stdout.write(output);
    else process.stdout.write(`${loaded.file}: ok\n`);
    if (translated && options.format !== "json") process.stdout.write(translated.report);
    return hasErrors(diagnostics) || translated?.stale ? ExitCode.findings : ExitCode.ok;
  },
};

interface CompileOptions {
  readonly config: string | undefined;
  readonly check: boolean;
  readonly out: string | undefined;
  readonly format: OutputFormat;
}

function parseCompileArgs(args: string[]): CompileOptions {
  const parsed = parseCommandArgs(args, { check: { type: "boolean", default: false }, out: { type: "string" }, format: { type: "string", default: "text" } });
  const format = parsed.values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`unknown --format '${format}'; use ${OUTPUT_FORMATS.join(", ")}`);
  if (parsed.positionals.length > 1) throw new UsageError(`expected one config path, got ${parsed.positionals.length}`);
  return { config: parsed.positionals[0], check: parsed.values.check, out: parsed.values.out, format };
}
