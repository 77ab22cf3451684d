import { accessMatrix } from "../access/matrix.ts";
import { type MatrixFormat, renderMatrix } from "../access/render.ts";
import { type CompileResult, compileGatewayFile } from "../compile.ts";
import { hasErrors } from "../config/diagnostics.ts";
import { locateNearest } from "../config/locate.ts";
import { shadowingReport } from "../review/shadowing/report.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics, OUTPUT_FORMATS, type OutputFormat } from "./format.ts";

const FORMATS: readonly MatrixFormat[] = ["text", "markdown", "json"];

const HELP = `Usage: portcullis explain [config] [--format text|markdown|json]
       portcullis explain [config] --shadowing [--format text|json|github]

Prints the access matrix: every caller the rules can tell apart (no credential; each JWT identity
with the claims each rule asks for; each API-key consumer; each mTLS client; each of them from every
client range a rule names) against every route and method, and the decision: allow, deny with the
status Envoy answers (401 no or wrong credential, 403 not allowed), gone (retired version) or
unreachable (a listener demands or lacks client certificates), with the rule or reason.

--shadowing prints instead where the rules and routes hide one another, each at its config line:
  PCL4090  a route's own access replaces its version's (broader, narrower or different, and for whom)
  PCL4091  an allow rule that never decides: another rule of the same access admits everyone it admits
  PCL4092  a route unreachable for some method: an earlier route takes every such request
These are warnings to read, not errors: an override is often intended.

Secrets are not read. Exit codes: 0 printed, 1 the config has errors, 2 usage error.

Examples:
  portcullis explain gateway.yaml --format markdown > ACCESS.md
  portcullis explain --shadowing --format github`;

/** The shadowing report as located warnings, in the diagnostic formats. */
function shadowingOutput(result: CompileResult & { ir: NonNullable<CompileResult["ir"]> }, format: OutputFormat, cwd: string): string {
  const locate = result.locate;
  const diagnostics = shadowingReport(result.ir).map((finding) => ({ ...finding, severity: "warning" as const, ...(locate ? { location: locateNearest(locate, result.file, finding.path) } : {}) }));
  if (diagnostics.length === 0 && format === "text") return "No route overrides its version's access, no allow rule is covered by another, and no route is hidden by an earlier one.\n";
  return formatDiagnostics(diagnostics, { format, cwd, color: format === "text" && process.stdout.isTTY === true });
}

export const explainCommand: Command = {
  name: "explain",
  summary: "print the access matrix: who may call which route and method, and why",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { format: { type: "string" }, shadowing: { type: "boolean", default: false } });
    if (positionals.length > 1) throw new UsageError(`expected one config path, got ${positionals.length}`);
    const format = values.format ?? "text";
    const formats: readonly string[] = values.shadowing ? OUTPUT_FORMATS : FORMATS;
    if (!formats.includes(format)) throw new UsageError(`--format must be one of ${formats.join(", ")}${values.shadowing ? " with --shadowing" : ""}, got "${values.format}"`);
    const cwd = process.cwd();
    const result = await compileGatewayFile(positionals[0], { cwd, secrets: "placeholder" });
    if (hasErrors(result.diagnostics) || !result.ir) {
      process.stderr.write(formatDiagnostics(result.diagnostics, { format: "text", cwd, color: process.stderr.isTTY === true }));
      return ExitCode.findings;
    }
    const ir = result.ir;
    process.stdout.write(values.shadowing ? shadowingOutput({ ...result, ir }, format as OutputFormat, cwd) : renderMatrix(accessMatrix(ir), format as MatrixFormat));
    return ExitCode.ok;
  },
};
