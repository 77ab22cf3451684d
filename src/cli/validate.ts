import { hasErrors } from "../config/diagnostics.ts";
import { compileGatewayFile } from "../compile.ts";
import { validateSnapshot } from "../xds/static-bootstrap-file.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";

const HELP = `Usage: portcullis validate [config]

Compiles the gateway config and asks the real Envoy whether it accepts the result: runs
\`envoy --mode validate\` on a bootstrap that embeds every resource. Secrets are read (from the
environment and files), as \`serve\` would; the bootstrap is written to a private temp dir and removed.

Exit codes:
  0  Envoy accepts the config
  1  the config has errors, or Envoy rejects it (Envoy's message is printed)
  2  usage error, Envoy not installed, or internal error`;

export const validateCommand: Command = {
  name: "validate",
  summary: "compile and check the result with real Envoy (envoy --mode validate)",
  help: HELP,
  async run(args) {
    const { positionals } = parseCommandArgs(args, {});
    if (positionals.length > 1) throw new UsageError(`expected one config path, got ${positionals.length}`);
    const cwd = process.cwd();
    const result = await compileGatewayFile(positionals[0], { cwd });
    if (result.diagnostics.length > 0) process.stdout.write(formatDiagnostics(result.diagnostics, { format: "text", cwd, color: process.stdout.isTTY === true }));
    if (!result.snapshot || hasErrors(result.diagnostics)) return ExitCode.findings;
    // A missing Envoy is a UserError: main prints its fix and exits 2.
    const verdict = await validateSnapshot(result.snapshot);
    if (verdict.ok) {
      process.stdout.write(`${result.file}: Envoy accepts the config\n`);
      return ExitCode.ok;
    }
    process.stdout.write(`${result.file}: Envoy rejects the config:\n${verdict.message}\n`);
    return ExitCode.findings;
  },
};
