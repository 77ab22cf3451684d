/**
 * Reading the MCP audit back (`mcp_tool_calls` in the usage database): the tool calls of an
 * identity, of a tool, since a time, newest first. What `portcullis audit mcp` prints.
 */
import type { DatabaseSync } from "node:sqlite";
import type { McpAuditRecord } from "./audit.ts";

export interface McpAuditFilter {
  /** An identity name or a JWT subject. */
  readonly identity?: string;
  readonly tool?: string;
  /** ISO 8601: only calls at or after this time. */
  readonly since?: string;
  readonly gateway?: string;
  /** Most rows returned. */
  readonly limit?: number;
}

interface Row {
  time: string;
  gateway: string;
  request_id: string;
  identity: string | null;
  subject: string | null;
  consumer: string | null;
  api: string;
  server: string;
  tool: string;
  arguments_sha256: string | null;
  decision: string;
  reason: string | null;
  status: number;
  duration_ms: number;
}

const optional = <K extends string>(key: K, value: string | null) => (value === null ? {} : ({ [key]: value } as Record<K, string>));

/** The calls that match every condition given, newest first (none when the table does not exist yet). */
export function mcpAuditRecords(db: DatabaseSync, filter: McpAuditFilter = {}): McpAuditRecord[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mcp_tool_calls'").get();
  if (!exists) return [];
  const conditions: string[] = [];
  const values: string[] = [];
  if (filter.identity !== undefined) {
    conditions.push("(identity = ? OR subject = ?)");
    values.push(filter.identity, filter.identity);
  }
  for (const [column, value] of [["tool", filter.tool], ["gateway", filter.gateway]] as const) {
    if (value === undefined) continue;
    conditions.push(`${column} = ?`);
    values.push(value);
  }
  if (filter.since !== undefined) {
    conditions.push("time >= ?");
    values.push(filter.since);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const rows = db.prepare(`SELECT * FROM mcp_tool_calls ${where} ORDER BY time DESC, id DESC LIMIT ${Math.max(1, Math.floor(filter.limit ?? 1000))}`).all(...values) as unknown as Row[];
  return rows.map((row) => ({
    time: row.time,
    gateway: row.gateway,
    requestId: row.request_id,
    ...optional("identity", row.identity),
    ...optional("subject", row.subject),
    ...optional("consumer", row.consumer),
    api: row.api,
    server: row.server,
    tool: row.tool,
    ...optional("argumentsSha256", row.arguments_sha256),
    decision: row.decision as McpAuditRecord["decision"],
    ...optional("reason", row.reason),
    status: row.status,
    durationMs: row.duration_ms,
  }));
}
