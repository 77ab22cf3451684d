/**
 * The budget ledgers one processor process keeps: one in memory (written behind to the usage
 * database when the process has one) for every gateway without a `budgetStore`, and one Redis
 * connection per server that a gateway's `budgetStore` names.
 */
import { DatabaseSync } from "node:sqlite";
import type { AiBudgetStoreIR } from "../../model/ir.ts";
import { openUsageDatabase } from "../usage-store.ts";
import type { BudgetLedger } from "./ledger.ts";
import { LedgerFile } from "./ledger-file.ts";
import { MemoryLedger } from "./memory-ledger.ts";
import { RedisLedger } from "./redis-ledger.ts";
import { WindowCache } from "./windows.ts";

export interface BudgetLedgersOptions {
  /** The SQLite file the in-memory counters are written behind to (the usage database); absent: memory only. */
  readonly file?: string;
  readonly onError: (error: Error) => void;
}

/** WAL readers and the usage store's writer share the file: wait for them rather than fail. */
const BUSY_TIMEOUT_MS = 2_000;

export class BudgetLedgers {
  /** Budget windows, shared by every request of the process. */
  readonly windows = new WindowCache();
  readonly #options: BudgetLedgersOptions;
  #memory: MemoryLedger | undefined;
  readonly #redis = new Map<string, RedisLedger>();

  constructor(options: BudgetLedgersOptions) {
    this.#options = options;
  }

  for(store: AiBudgetStoreIR): BudgetLedger {
    if (store.kind === "memory") return (this.#memory ??= this.#openMemory());
    const url = new TextDecoder().decode(store.url.reveal()).trim();
    const key = JSON.stringify([url, store.keyPrefix]);
    let ledger = this.#redis.get(key);
    if (!ledger) {
      ledger = new RedisLedger(url, store.keyPrefix, this.#options.onError);
      this.#redis.set(key, ledger);
    }
    return ledger;
  }

  #openMemory(): MemoryLedger {
    const path = this.#options.file;
    if (!path) return new MemoryLedger({ onError: this.#options.onError });
    openUsageDatabase(path).close(); // creates the file and its WAL mode once
    const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    return new MemoryLedger({ file: { db, ledger: new LedgerFile(db) }, onError: this.#options.onError });
  }

  async close(): Promise<void> {
    const ledgers: BudgetLedger[] = [...(this.#memory ? [this.#memory] : []), ...this.#redis.values()];
    this.#memory = undefined;
    this.#redis.clear();
    await Promise.all(ledgers.map((ledger) => ledger.close()));
  }
}
