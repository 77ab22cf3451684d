/**
 * MCP audit records in the processor's SQLite database, beside the AI usage records (table
 * `mcp_tool_calls`). Records are queued and written in one transaction on the next turn of the
 * event loop, so a tool call never waits for the disk; a batch that fails stays queued for the next.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { openUsageDatabase, QueuedInserts } from "../ai/usage-store.ts";
import type { McpAuditRecord, McpAuditSink } from "./audit.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mcp_tool_calls (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  gateway TEXT NOT NULL,
  request_id TEXT NOT NULL,
  identity TEXT,
  subject TEXT,
  consumer TEXT,
  api TEXT NOT NULL,
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments_sha256 TEXT,
  decision TEXT NOT NULL,
  reason TEXT,
  status INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_tool_calls_time ON mcp_tool_calls (time);
`;

/** Each record field's column, in table order (also the CSV of `portcullis audit mcp`). */
export const MCP_AUDIT_COLUMNS = {
  time: "time", gateway: "gateway", requestId: "request_id", identity: "identity", subject: "subject", consumer: "consumer", api: "api", server: "server", tool: "tool",
  argumentsSha256: "arguments_sha256", decision: "decision", reason: "reason", status: "status", durationMs: "duration_ms",
} as const satisfies Record<keyof McpAuditRecord, string>;

const FIELDS = Object.keys(MCP_AUDIT_COLUMNS) as (keyof McpAuditRecord)[];
const COLUMNS = FIELDS.map((field) => MCP_AUDIT_COLUMNS[field]);

const row = (entry: McpAuditRecord): SQLInputValue[] => FIELDS.map((field) => entry[field] ?? null);

export class McpAuditStore implements McpAuditSink {
  readonly #db: DatabaseSync;
  readonly #queue: QueuedInserts<McpAuditRecord>;
  readonly #onError: (error: Error) => void;
  #scheduled = false;

  constructor(file: string, onError: (error: Error) => void = () => {}) {
    this.#db = openUsageDatabase(file);
    this.#db.exec(SCHEMA);
    this.#queue = new QueuedInserts(this.#db, "mcp_tool_calls", COLUMNS, row);
    this.#onError = onError;
  }

  record(entry: McpAuditRecord): void {
    this.#queue.push(entry);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      try {
        this.flush();
      } catch (error) {
        this.#onError(error as Error);
      }
    });
  }

  flush(): void {
    this.#queue.flush();
  }

  close(): void {
    this.flush();
    this.#db.close();
  }
}
