/**
 * The audit store: SQLite (node:sqlite) in WAL mode, so `portcullis audit` reads while the
 * receiver writes. Writes are behind: `add` only queues, a timer writes the queue in one
 * transaction (or sooner when it is long), and `close` writes what is left — neither Envoy's log
 * stream nor the ADS hot path ever waits for the disk. Records older than the retention are
 * deleted in the background.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { AuditRecord } from "./record.ts";
import type { ConfigChange, RolloutEvent } from "./changes.ts";

const FLUSH_INTERVAL_MS = 500;
const FLUSH_SIZE = 1_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  request_id TEXT NOT NULL,
  gateway TEXT NOT NULL,
  api TEXT,
  version TEXT,
  route TEXT,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  identity TEXT,
  subject TEXT,
  consumer TEXT,
  team TEXT,
  spiffe_id TEXT,
  client_address TEXT,
  decision TEXT NOT NULL,
  reason TEXT,
  upstream_cluster TEXT,
  upstream_host TEXT,
  duration_ms INTEGER NOT NULL,
  bytes_received INTEGER NOT NULL,
  bytes_sent INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_time ON requests (time);
CREATE INDEX IF NOT EXISTS requests_api ON requests (api, time);
CREATE INDEX IF NOT EXISTS requests_identity ON requests (identity, time);
CREATE INDEX IF NOT EXISTS requests_consumer ON requests (consumer, time);
CREATE INDEX IF NOT EXISTS requests_status ON requests (status, time);
CREATE TABLE IF NOT EXISTS config_changes (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  gateway TEXT NOT NULL,
  version TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  file TEXT NOT NULL,
  git_commit TEXT,
  git_author TEXT,
  git_time TEXT,
  git_dirty INTEGER
);
CREATE INDEX IF NOT EXISTS config_changes_time ON config_changes (time);
CREATE TABLE IF NOT EXISTS rollouts (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  node TEXT NOT NULL,
  gateway TEXT NOT NULL,
  snapshot TEXT,
  event TEXT NOT NULL,
  type TEXT,
  version TEXT,
  message TEXT
);
CREATE INDEX IF NOT EXISTS rollouts_node ON rollouts (node, id);
`;

/** Record field → column, in insert order. */
export const REQUEST_COLUMNS = {
  time: "time", requestId: "request_id", gateway: "gateway", api: "api", version: "version", route: "route", method: "method", path: "path",
  status: "status", identity: "identity", subject: "subject", consumer: "consumer", team: "team", spiffeId: "spiffe_id", clientAddress: "client_address",
  decision: "decision", reason: "reason", upstreamCluster: "upstream_cluster", upstreamHost: "upstream_host", durationMs: "duration_ms",
  bytesReceived: "bytes_received", bytesSent: "bytes_sent",
} as const satisfies Record<keyof AuditRecord, string>;

const insertSql = (table: string, columns: readonly string[]) => `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;

/** Opens (creating if needed) an audit database; `readonly` for queries, which must not create one. */
export function openAuditDatabase(file: string, options: { readonly?: boolean } = {}): DatabaseSync {
  if (!options.readonly && file !== ":memory:") mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(file, { readOnly: options.readonly ?? false });
  if (!options.readonly) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(SCHEMA);
  }
  return db;
}

export interface AuditStoreOptions {
  /** Records older than this many ms are deleted. */
  readonly retentionMs: number;
  /** The clock; tests and nothing else pass their own. */
  readonly now?: () => number;
  readonly onError?: (error: Error) => void;
}

export class AuditStore {
  readonly db: DatabaseSync;
  readonly #insertRequest: StatementSync;
  readonly #insertChange: StatementSync;
  readonly #insertRollout: StatementSync;
  #requests: AuditRecord[] = [];
  #rollouts: RolloutEvent[] = [];
  readonly #flushTimer: NodeJS.Timeout;
  readonly #pruneTimer: NodeJS.Timeout;
  readonly #options: AuditStoreOptions;
  /** Records older than this many ms are deleted (the config can change it). */
  retentionMs: number;
  #closed = false;

  constructor(file: string, options: AuditStoreOptions) {
    this.#options = options;
    this.retentionMs = options.retentionMs;
    this.db = openAuditDatabase(file);
    this.#insertRequest = this.db.prepare(insertSql("requests", Object.values(REQUEST_COLUMNS)));
    this.#insertChange = this.db.prepare(insertSql("config_changes", ["time", "gateway", "version", "config_hash", "file", "git_commit", "git_author", "git_time", "git_dirty"]));
    this.#insertRollout = this.db.prepare(insertSql("rollouts", ["time", "node", "gateway", "snapshot", "event", "type", "version", "message"]));
    this.#flushTimer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS).unref();
    this.#pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref();
    this.prune();
  }

  /** Queues a request record. */
  add(record: AuditRecord): void {
    if (this.#closed) return;
    this.#requests.push(record);
    if (this.#requests.length >= FLUSH_SIZE) this.flush();
  }

  /** Queues a rollout event (called from the ADS path: no disk work here). */
  addRollout(event: RolloutEvent): void {
    if (this.#closed) return;
    this.#rollouts.push(event);
  }

  /** Records a compiled config the control plane started serving (rare: written at once). */
  addConfigChange(change: ConfigChange): void {
    if (this.#closed) return;
    const git = change.git;
    this.#guard(() => this.#insertChange.run(change.time, change.gateway, change.version, change.configHash, change.file, git?.commit ?? null, git?.author ?? null, git?.time ?? null, git ? Number(git.dirty) : null));
  }

  /** The last config change recorded for a gateway, if any. */
  lastConfigChange(gateway: string): { version: string; configHash: string } | undefined {
    const row = this.db.prepare("SELECT version, config_hash FROM config_changes WHERE gateway = ? ORDER BY id DESC LIMIT 1").get(gateway) as { version: string; config_hash: string } | undefined;
    return row && { version: row.version, configHash: row.config_hash };
  }

  /** Writes what is queued, in one transaction. */
  flush(): void {
    if (this.#requests.length === 0 && this.#rollouts.length === 0) return;
    const requests = this.#requests;
    const rollouts = this.#rollouts;
    this.#requests = [];
    this.#rollouts = [];
    const columns = Object.keys(REQUEST_COLUMNS) as (keyof AuditRecord)[];
    this.#guard(() => {
      this.db.exec("BEGIN");
      try {
        for (const record of requests) this.#insertRequest.run(...columns.map((key) => (record[key] ?? null) as SQLInputValue));
        for (const event of rollouts) this.#insertRollout.run(event.time, event.node, event.gateway, event.snapshot ?? null, event.event, event.type ?? null, event.version ?? null, event.message ?? null);
        this.db.exec("COMMIT");
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  /** Deletes request records (and rollout events) older than the retention; returns how many requests went. */
  prune(): number {
    const cutoff = new Date((this.#options.now ?? Date.now)() - this.retentionMs).toISOString();
    let deleted = 0;
    this.#guard(() => {
      deleted = Number(this.db.prepare("DELETE FROM requests WHERE time < ?").run(cutoff).changes);
      this.db.prepare("DELETE FROM rollouts WHERE time < ?").run(cutoff);
    });
    return deleted;
  }

  #guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.#options.onError?.(error as Error);
    }
  }

  close(): void {
    if (this.#closed) return;
    clearInterval(this.#flushTimer);
    clearInterval(this.#pruneTimer);
    this.flush();
    this.#closed = true;
    this.db.close();
  }
}
