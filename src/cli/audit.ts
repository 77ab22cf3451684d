import { existsSync } from "node:fs";
import { DEFAULT_USAGE_DB, openUsageDatabase } from "../ai/usage-store.ts";
import { configHistory } from "../audit/config-history.ts";
import { queryRequests, statusRange } from "../audit/query.ts";
import { AUDIT_FORMATS, type AuditFormat, renderConfigHistory, renderRecords, renderRequests } from "../audit/render.ts";
import { auditedConfig } from "../audit/settings.ts";
import { openAuditDatabase } from "../audit/store.ts";
import { UserError } from "../errors.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { sinceTime } from "./since.ts";
import { formatDiagnostics } from "./format.ts";
import { mcpAuditRecords } from "../mcp/audit-query.ts";
import { MCP_AUDIT_COLUMNS } from "../mcp/audit-store.ts";

const DEFAULT_LIMIT = 100;

const HELP = `Usage: portcullis audit [config] [options]
       portcullis audit config [config] [options]
       portcullis audit mcp [options]

Who called what, and what the gateway decided: the records Envoy sends to the audit store
(audit.store in the config) — time, gateway, API, version, route, method, path without its query,
status, the caller's identity, subject, consumer, team and SPIFFE ID, the decision and its reason
(JWT failure, RBAC denial, rate limit, budget), upstream, duration and bytes. Newest first.

\`audit config\` answers what changed and who changed it: every config the control plane served
(snapshot version, config hash, git commit, author and whether the work tree was dirty), and which
snapshot each Envoy runs (its last ACK) and its last NACK with Envoy's message.

\`audit mcp\` lists MCP tool calls, newest first, from the usage database the processor writes
(table mcp_tool_calls): time, gateway, caller, API, server, tool, a sha256 of the arguments
(never the arguments), the decision (allowed, refused by a tool rule, or refused by the
processor's strict checks) and its reason, and the status the client got.

Options:
  --api NAME        only this API's requests
  --identity NAME   an identity name, JWT subject or SPIFFE ID (mcp: an identity name or JWT subject)
  --tool NAME       with mcp: only calls of this tool (as the client named it)
  --consumer NAME   an API-key consumer
  --status S        a status (404) or class (4xx, 5xx)
  --since WHEN      a span back from now (30m, 1h, 7d) or an ISO date or time
  --gateway NAME    with config or mcp: only this gateway
  --limit N         at most N rows (default ${DEFAULT_LIMIT})
  --format F        ${AUDIT_FORMATS.join(", ")} (default table)
  --store FILE      the audit database (default: the config's audit.store)
  --db FILE         with mcp: the usage database (default ${DEFAULT_USAGE_DB}, what serve, up and
                    processor write unless --usage-db says otherwise)

Example:
  portcullis audit --api orders --status 4xx --since 1h
  portcullis audit config --format json
  portcullis audit mcp --tool delete_repo --since 7d`;

/** The MCP tool calls table: who called which tool of which server, and what became of it. */
const MCP_LAYOUT = {
  tableFields: ["time", "gateway", "api", "server", "tool", "decision", "reason", "status", "identity", "subject", "consumer", "durationMs"],
  csvColumns: MCP_AUDIT_COLUMNS,
  none: "no MCP tool calls match",
} as const;

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
  summary: "who called what and what was decided; `audit config`: what changed, who changed it, which Envoys run it; `audit mcp`: MCP tool calls",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      api: { type: "string" },
      identity: { type: "string" },
      consumer: { type: "string" },
      status: { type: "string" },
      since: { type: "string" },
      gateway: { type: "string" },
      tool: { type: "string" },
      limit: { type: "string" },
      format: { type: "string" },
      store: { type: "string" },
      db: { type: "string" },
    });
    const changes = positionals[0] === "config";
    const mcp = positionals[0] === "mcp";
    const rest = changes || mcp ? positionals.slice(1) : positionals;
    if (rest.length > 1) throw new UsageError(`audit takes one config, got ${rest.length}`);
    const format = (values.format ?? "table") as AuditFormat;
    if (!AUDIT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${AUDIT_FORMATS.join(", ")}, got "${values.format}"`);
    if (values.status && !statusRange(values.status)) throw new UsageError(`--status must be a status code (404) or a class (4xx), got "${values.status}"`);
    const limit = values.limit ? positiveInteger("--limit", values.limit) : DEFAULT_LIMIT;
    const since = values.since ? { since: sinceTime(values.since, Date.now()) } : {};
    if (mcp) {
      if (rest.length > 0 || values.api || values.consumer || values.status || values.store) throw new UsageError("audit mcp takes --identity, --tool, --since, --gateway, --limit, --format and --db");
      return mcpToolCalls(values.db ?? DEFAULT_USAGE_DB, format, { limit, ...since, ...pick(values, "identity", "tool", "gateway") });
    }
    if (values.tool || values.db) throw new UsageError("--tool and --db go with `audit mcp`");
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
              ...since,
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

/** The given flags' values, by the same names, leaving out those not given. */
function pick<K extends string>(values: Partial<Record<K, string | boolean | undefined>>, ...keys: K[]): Partial<Record<K, string>> {
  return Object.fromEntries(keys.flatMap((key) => (typeof values[key] === "string" ? [[key, values[key]]] : []))) as Partial<Record<K, string>>;
}

function mcpToolCalls(file: string, format: AuditFormat, filter: Parameters<typeof mcpAuditRecords>[1]): number {
  if (!existsSync(file)) throw new UserError(`no MCP tool calls recorded at ${file}: the processor of serve, up or processor writes them to its usage database (--usage-db); name it with --db`);
  const db = openUsageDatabase(file, { readonly: true });
  try {
    console.log(renderRecords(mcpAuditRecords(db, filter), format, MCP_LAYOUT));
    return ExitCode.ok;
  } finally {
    db.close();
  }
}
