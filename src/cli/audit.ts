import { existsSync } from "node:fs";
import { configHistory } from "../audit/config-history.ts";
import { queryRequests, statusRange } from "../audit/query.ts";
import { AUDIT_FORMATS, type AuditFormat, renderConfigHistory, renderRequests } from "../audit/render.ts";
import { auditedConfig } from "../audit/settings.ts";
import { openAuditDatabase } from "../audit/store.ts";
import { UserError } from "../errors.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { sinceTime } from "./since.ts";
import { formatDiagnostics } from "./format.ts";

const DEFAULT_LIMIT = 100;

const HELP = `Usage: portcullis audit [config] [options]
       portcullis audit config [config] [options]

Who called what, and what the gateway decided: the records Envoy sends to the audit store
(audit.store in the config) — time, gateway, API, version, route, method, path without its query,
status, the caller's identity, subject, consumer, team and SPIFFE ID, the decision and its reason
(JWT failure, RBAC denial, rate limit, budget), upstream, duration and bytes. Newest first.

\`audit config\` answers what changed and who changed it: every config the control plane served
(snapshot version, config hash, git commit, author and whether the work tree was dirty), and which
snapshot each Envoy runs (its last ACK) and its last NACK with Envoy's message.

Options:
  --api NAME        only this API's requests
  --identity NAME   an identity name, JWT subject or SPIFFE ID
  --consumer NAME   an API-key consumer
  --status S        a status (404) or class (4xx, 5xx)
  --since WHEN      a span back from now (30m, 1h, 7d) or an ISO date or time
  --gateway NAME    with config: only this gateway
  --limit N         at most N rows (default ${DEFAULT_LIMIT})
  --format F        ${AUDIT_FORMATS.join(", ")} (default table)
  --store FILE      the audit database (default: the config's audit.store)

Example:
  portcullis audit --api orders --status 4xx --since 1h
  portcullis audit config --format json`;

function positiveInteger(flag: string, text: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(text)) throw new UsageError(`${flag} must be a whole number from 1, got "${text}"`);
  return Number(text);
}

async function storeFile(configPath: string | undefined, store: string | undefined): Promise<string> {
  const file = store ?? (await auditedConfig(configPath, (diagnostics) => process.stderr.write(formatDiagnostics(diagnostics, { format: "text", cwd: process.cwd(), color: Boolean(process.stderr.isTTY) })))).store.file;
  if (!existsSync(file)) throw new UserError(`no audit records at ${file}: serve, up or audit-receiver write them there; name another file with --store`);
  return file;
}

export const auditCommand: Command = {
  name: "audit",
  summary: "who called what and what was decided; `audit config`: what changed, who changed it, which Envoys run it",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      api: { type: "string" },
      identity: { type: "string" },
      consumer: { type: "string" },
      status: { type: "string" },
      since: { type: "string" },
      gateway: { type: "string" },
      limit: { type: "string" },
      format: { type: "string" },
      store: { type: "string" },
    });
    const changes = positionals[0] === "config";
    const rest = changes ? positionals.slice(1) : positionals;
    if (rest.length > 1) throw new UsageError(`audit takes one config, got ${rest.length}`);
    const format = (values.format ?? "table") as AuditFormat;
    if (!AUDIT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${AUDIT_FORMATS.join(", ")}, got "${values.format}"`);
    if (values.status && !statusRange(values.status)) throw new UsageError(`--status must be a status code (404) or a class (4xx), got "${values.status}"`);
    const limit = values.limit ? positiveInteger("--limit", values.limit) : DEFAULT_LIMIT;
    if (changes && (values.api || values.identity || values.consumer || values.status || values.since)) throw new UsageError("audit config takes --gateway, --limit, --format and --store; the request filters go with plain `audit`");
    if (!changes && values.gateway) throw new UsageError("--gateway goes with `audit config`");
    const db = openAuditDatabase(await storeFile(rest[0], values.store), { readonly: true });
    try {
      const text = changes
        ? renderConfigHistory(configHistory(db, { limit, ...(values.gateway ? { gateway: values.gateway } : {}) }), format)
        : renderRequests(
            queryRequests(db, {
              limit,
              ...(values.api ? { api: values.api } : {}),
              ...(values.identity ? { identity: values.identity } : {}),
              ...(values.consumer ? { consumer: values.consumer } : {}),
              ...(values.status ? { status: values.status } : {}),
              ...(values.since ? { since: sinceTime(values.since, Date.now()) } : {}),
            }),
            format,
          );
      console.log(text);
      return ExitCode.ok;
    } finally {
      db.close();
    }
  },
};
