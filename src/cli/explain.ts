import { accessMatrix } from "../access/matrix.ts";
import { type MatrixFormat, renderMatrix } from "../access/render.ts";
import { compileGatewayFile } from "../compile.ts";
import { hasErrors } from "../config/diagnostics.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";

const FORMATS: readonly MatrixFormat[] = ["text", "markdown", "json"];

const HELP = `Usage: portcullis explain [config] [--format text|markdown|json]

Prints the access matrix: every caller the rules can tell apart (no credential; each JWT identity
with the claims each rule asks for; each API-key consumer; each mTLS client; each of them from every
client range a rule names) against every route and method, and the decision: allow, deny with the
status Envoy answers (401 no or wrong credential, 403 not allowed), gone (retired version) or
unreachable (a listener demands or lacks client certificates), with the rule or reason.

Secrets are not read. Exit codes: 0 printed, 1 the config has errors, 2 usage error.

Example:
  portcullis explain gateway.yaml --format markdown > ACCESS.md`;

export const explainCommand: Command = {
  name: "explain",
  summary: "print the access matrix: who may call which route and method, and why",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { format: { type: "string" } });
    if (positionals.length > 1) throw new UsageError(`expected one config path, got ${positionals.length}`);
    const format = (values.format ?? "text") as MatrixFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${values.format}"`);
    const cwd = process.cwd();
    const result = await compileGatewayFile(positionals[0], { cwd, secrets: "placeholder" });
    if (hasErrors(result.diagnostics) || !result.ir) {
      process.stderr.write(formatDiagnostics(result.diagnostics, { format: "text", cwd, color: process.stderr.isTTY === true }));
      return ExitCode.findings;
    }
    process.stdout.write(renderMatrix(accessMatrix(result.ir), format));
    return ExitCode.ok;
  },
};
