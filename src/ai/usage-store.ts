/**
 * Usage records in SQLite (Node's built-in node:sqlite). Writes are behind the request path:
 * `record` only queues; a timer writes the queue in one transaction, and `close` writes what is
 * left, so a request never waits for the disk.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { UsageRecord, UsageSink } from "./usage.ts";

export const DEFAULT_USAGE_DB = ".portcullis/usage.db";
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_SIZE = 500;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  gateway TEXT NOT NULL,
  request_id TEXT NOT NULL,
  identity TEXT,
  subject TEXT,
  consumer TEXT,
  team TEXT,
  alias TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  stream INTEGER NOT NULL,
  status INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_write_input_tokens INTEGER NOT NULL,
  usage_reported INTEGER NOT NULL,
  cost_usd REAL,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_time ON usage (time);
`;

/**
 * Columns added after the table's first release, with their types: a database written by an older
 * version gets them (empty for its old rows) when it is opened for writing.
 */
const ADDED_COLUMNS = [
  // The target picked by weight, and every attempt as JSON (fallbacks, pooled keys: src/ai/routing).
  ["target_provider", "TEXT"],
  ["target_model", "TEXT"],
  ["attempts", "TEXT"],
  // The prompt API called, for requests a prompt made (src/ai/prompts).
  ["prompt", "TEXT"],
  // What the client called (UsageEndpoint); empty for records from before it was kept.
  ["endpoint", "TEXT"],
] as const;

const COLUMNS = [
  "time", "gateway", "request_id", "identity", "subject", "consumer", "team", "alias", "provider", "model", "stream", "status",
  "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_input_tokens", "usage_reported", "cost_usd", "duration_ms",
  ...ADDED_COLUMNS.map(([name]) => name),
] as const;

function addMissingColumns(db: DatabaseSync): void {
  const present = new Set(db.prepare("PRAGMA table_info(usage)").all().map((column) => String(column["name"])));
  for (const [name, type] of ADDED_COLUMNS) if (!present.has(name)) db.exec(`ALTER TABLE usage ADD COLUMN ${name} ${type}`);
}

/** Opens (creating if needed) a usage database; `readonly` for reports, which must not create one. */
export function openUsageDatabase(file: string, options: { readonly?: boolean } = {}): DatabaseSync {
  if (!options.readonly && file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { readOnly: options.readonly ?? false });
  if (!options.readonly) {
    // WAL: `portcullis usage` reads while serve writes.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(SCHEMA);
    addMissingColumns(db);
  }
  return db;
}

function row(entry: UsageRecord): SQLInputValue[] {
  return [
    entry.time, entry.gateway, entry.requestId, entry.identity ?? null, entry.subject ?? null, entry.consumer ?? null, entry.team ?? null,
    entry.alias, entry.provider, entry.model, entry.stream ? 1 : 0, entry.status, entry.inputTokens, entry.outputTokens,
    entry.cachedInputTokens, entry.cacheWriteInputTokens, entry.usageReported ? 1 : 0, entry.costUsd, entry.durationMs,
    entry.target?.provider ?? null, entry.target?.model ?? null, entry.attempts ? JSON.stringify(entry.attempts) : null,
    entry.prompt ?? null, entry.endpoint,
  ];
}

/**
 * Records waiting to be written to one table: `flush` writes them all in one transaction, and a
 * batch that fails stays queued (ahead of newer records) for the next flush rather than being lost.
 */
export class QueuedInserts<T> {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #row: (entry: T) => SQLInputValue[];
  #queue: T[] = [];

  constructor(db: DatabaseSync, table: string, columns: readonly string[], row: (entry: T) => SQLInputValue[]) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    this.#row = row;
  }

  /** Queues a record; returns how many are queued. */
  push(entry: T): number {
    return this.#queue.push(entry);
  }

  flush(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#db.exec("BEGIN");
    try {
      for (const entry of batch) this.#insert.run(...this.#row(entry));
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      this.#queue = [...batch, ...this.#queue];
      throw error;
    }
  }
}

export class UsageStore implements UsageSink {
  readonly #db: DatabaseSync;
  readonly #queue: QueuedInserts<UsageRecord>;
  readonly #timer: NodeJS.Timeout;

  /** `onError` hears of a batch that could not be written (it is kept and tried again). */
  constructor(file: string, onError: (error: Error) => void = () => {}) {
    this.#db = openUsageDatabase(file);
    this.#queue = new QueuedInserts(this.#db, "usage", COLUMNS, row);
    this.#timer = setInterval(() => {
      try {
        this.flush();
      } catch (error) {
        onError(error as Error);
      }
    }, FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  record(entry: UsageRecord): void {
    // A burst is written without waiting for the timer (errors are the timer's to report).
    if (this.#queue.push(entry) === FLUSH_SIZE) setImmediate(() => this.#tryFlush());
  }

  #tryFlush(): void {
    try {
      this.flush();
    } catch {
      // kept in the queue; the timer tries again and reports
    }
  }

  /** Writes every queued record in one transaction. */
  flush(): void {
    this.#queue.flush();
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
    this.#db.close();
  }
}
