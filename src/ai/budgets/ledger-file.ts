/**
 * Where the in-memory counters are written behind: a `budget_counters` table in the processor's
 * SQLite file (the usage database), one row per budget, member and window. Only day, week and
 * month windows are kept; a minute's counters are worthless after a restart.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Amounts, BudgetState } from "./ledger.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS budget_counters (
  gateway TEXT NOT NULL,
  budget TEXT NOT NULL,
  member TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  limit_usd REAL,
  limit_tokens INTEGER,
  limit_requests INTEGER,
  spent_usd REAL NOT NULL,
  spent_tokens INTEGER NOT NULL,
  spent_requests INTEGER NOT NULL,
  reserved_usd REAL NOT NULL,
  reserved_tokens INTEGER NOT NULL,
  reserved_requests INTEGER NOT NULL,
  overruns INTEGER NOT NULL,
  PRIMARY KEY (gateway, budget, member, window_start)
);
`;

interface Row {
  gateway: string;
  budget: string;
  member: string;
  window_start: number;
  window_end: number;
  limit_usd: number | null;
  limit_tokens: number | null;
  limit_requests: number | null;
  spent_usd: number;
  spent_tokens: number;
  spent_requests: number;
  reserved_usd: number;
  reserved_tokens: number;
  reserved_requests: number;
  overruns: number;
}

const amounts = (row: Row, kind: "spent" | "reserved"): Amounts => ({ usd: row[`${kind}_usd`], tokens: row[`${kind}_tokens`], requests: row[`${kind}_requests`] });

const toState = (row: Row): BudgetState => ({
  gateway: row.gateway,
  budget: row.budget,
  member: row.member,
  windowStart: row.window_start,
  windowEnd: row.window_end,
  limits: {
    ...(row.limit_usd !== null ? { usd: row.limit_usd } : {}),
    ...(row.limit_tokens !== null ? { tokens: row.limit_tokens } : {}),
    ...(row.limit_requests !== null ? { requests: row.limit_requests } : {}),
  },
  spent: amounts(row, "spent"),
  reserved: amounts(row, "reserved"),
  overruns: row.overruns,
});

export class LedgerFile {
  readonly #db: DatabaseSync;
  readonly #upsert: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
    this.#upsert = db.prepare(`INSERT OR REPLACE INTO budget_counters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  write(states: readonly BudgetState[]): void {
    if (states.length === 0) return;
    this.#db.exec("BEGIN");
    try {
      for (const s of states) {
        this.#upsert.run(s.gateway, s.budget, s.member, s.windowStart, s.windowEnd, s.limits.usd ?? null, s.limits.tokens ?? null, s.limits.requests ?? null, s.spent.usd, s.spent.tokens, s.spent.requests, s.reserved.usd, s.reserved.tokens, s.reserved.requests, s.overruns);
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): void {
    this.#db.close();
  }
}

/** The counters whose window has not ended at `now` (or every counter), from a database that has the table. */
export function readBudgetStates(db: DatabaseSync, now?: number): BudgetState[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'budget_counters'").get();
  if (!exists) return [];
  const where = now === undefined ? "" : "WHERE window_end > :now";
  const rows = db.prepare(`SELECT * FROM budget_counters ${where} ORDER BY gateway, budget, member, window_start`).all(now === undefined ? {} : { now });
  return rows.map((row) => toState(row as unknown as Row));
}
