import { hasErrors } from "../config/diagnostics.ts";
import { compare } from "../review/compare.ts";
import { REVIEW_FORMATS, type ReviewFormat, renderReview } from "../review/render.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";

const HELP = `Usage: portcullis diff [config] [--against REF|DIR] [--format text|markdown|json|github]

Says what a change to the gateway config means: compiles the config as it is in the working tree
(uncommitted edits included) and the same config at the base, and reports, most dangerous first:
  access     who gains or loses which route and method, from the two access matrices ("role clerk
             of identity customers gains POST /v2/orders", "GET /v1/stats becomes public (reason: …)",
             "consumer acme loses access to users v1")
  security   JWT audiences, issuers, key sets (a new trust anchor) and claim mappings; API-key
             sources; plaintext upstreams and weakened TLS verification; rate limits removed or
             raised; CORS loosened; policy waivers added or extended, rules turned down
  lifecycle  versions published, deprecated, retired, added or removed; sunset dates moved
and then the Envoy resources that differ. Secrets are never read.

Options:
  --against REF|DIR  the base: a git commit, branch or tag; or a directory holding another checkout
                     (the config at the same place in it), or holding compiled output (then only the
                     Envoy resources are compared). Default: the merge base of HEAD with the default
                     branch (origin/HEAD, main or master), which is what a pull request changes
  --format FORMAT    text (default), markdown (a pull-request comment), json, or github (a warning
                     annotation per change, on the config line it is about)

Exit codes:
  0  the report was printed (whatever it says)
  1  the config in the working tree does not compile far enough to compare
  2  usage error, no base to compare with, or internal error

Examples:
  portcullis diff
  portcullis diff gateway.yaml --against origin/main --format markdown > review.md
  portcullis diff --against ../main-checkout`;

export const diffCommand: Command = {
  name: "diff",
  summary: "say what a config change means: access gained or lost, security and lifecycle changes",
  help: HELP,
  async run(args) {
    const parsed = parseCommandArgs(args, { against: { type: "string" }, format: { type: "string", default: "text" } });
    if (parsed.positionals.length > 1) throw new UsageError(`expected one config path, got ${parsed.positionals.length}`);
    const format = parsed.values.format as ReviewFormat;
    if (!REVIEW_FORMATS.includes(format)) throw new UsageError(`unknown --format '${format}'; use ${REVIEW_FORMATS.join(", ")}`);
    const cwd = process.cwd();
    const { head, review } = await compare({ config: parsed.positionals[0], against: parsed.values.against, cwd });
    // Findings go to stderr: stdout is the report, posted as is.
    if (hasErrors(head.diagnostics)) process.stderr.write(formatDiagnostics(head.diagnostics, { format: "text", cwd, color: process.stderr.isTTY === true }));
    if (!review) return ExitCode.findings;
    process.stdout.write(renderReview(review, format, cwd));
    return ExitCode.ok;
  },
};
