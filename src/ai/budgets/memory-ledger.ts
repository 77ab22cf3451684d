/**
 * Budget counters in the processor's memory: a reservation is checked and taken in one synchronous
 * step, so concurrent requests on this processor cannot overshoot a budget together. Counters are
 * written behind to SQLite (a timer, and on close) and reloaded on start, so a restart keeps what
 * was spent; a reservation still open when the process died counts as spent in full.
 */
import type { AiBudgetIR } from "../../model/ir.ts";
import { DIMENSIONS, type Amounts, type BudgetLedger, type BudgetState, type Charge, chargeKey, exceeded, NOTHING, type ReserveOutcome } from "./ledger.ts";
import { type LedgerFile, readBudgetStates } from "./ledger-file.ts";
import type { DatabaseSync } from "node:sqlite";

const FLUSH_INTERVAL_MS = 1_000;
/** How often ended windows are looked for: not on every request, which would walk every counter. */
const SWEEP_INTERVAL_MS = 10_000;

interface Counter {
  readonly gateway: string;
  readonly budget: string;
  readonly member: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  limits: AiBudgetIR["limits"];
  spent: Amounts;
  reserved: Amounts;
  overruns: number;
}

const add = (a: Amounts, b: Amounts, sign = 1): Amounts => ({ usd: a.usd + sign * b.usd, tokens: a.tokens + sign * b.tokens, requests: a.requests + sign * b.requests });

export interface MemoryLedgerOptions {
  /** Where counters are written behind and reloaded from; absent: memory only. */
  readonly file?: { readonly db: DatabaseSync; readonly ledger: LedgerFile };
  readonly now?: () => number;
  /** Hears of a write that failed (it is tried again). */
  readonly onError?: (error: Error) => void;
}

export class MemoryLedger implements BudgetLedger {
  readonly #counters = new Map<string, Counter>();
  readonly #dirty = new Set<string>();
  readonly #options: MemoryLedgerOptions;
  readonly #timer: NodeJS.Timeout | undefined;
  #swept = 0;

  constructor(options: MemoryLedgerOptions = {}) {
    this.#options = options;
    const now = (options.now ?? Date.now)();
    for (const state of options.file ? readBudgetStates(options.file.db, now) : []) {
      const key = JSON.stringify([state.gateway, state.budget, state.member, state.windowStart]);
      this.#counters.set(key, { ...state, spent: add(state.spent, state.reserved), reserved: NOTHING });
    }
    if (options.file) {
      this.#timer = setInterval(() => this.#tryFlush(), FLUSH_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  #counter(charge: Charge): Counter {
    const key = chargeKey(charge);
    let counter = this.#counters.get(key);
    if (!counter) {
      counter = { gateway: charge.gateway, budget: charge.budget.name, member: charge.member, windowStart: charge.window.start, windowEnd: charge.window.end, limits: charge.budget.limits, spent: NOTHING, reserved: NOTHING, overruns: 0 };
      this.#counters.set(key, counter);
    }
    counter.limits = charge.budget.limits;
    // Minute windows are not worth a write: a restart forgets them.
    if (charge.budget.period !== "minute") this.#dirty.add(key);
    return counter;
  }

  reserve(charges: readonly Charge[], amount: Amounts, now: number): ReserveOutcome {
    this.#forgetEnded(now);
    const counters = charges.map((charge) => this.#counter(charge));
    const over = counters.map((counter, i) => exceeded(charges[i]!.budget.limits, (d) => counter.spent[d] + counter.reserved[d], amount));
    const refused = over.findIndex((found, i) => found && charges[i]!.budget.mode === "block");
    if (refused >= 0) return { ok: false, refused: charges[refused]!, dimension: over[refused]!.dimension, used: over[refused]!.used };
    for (const counter of counters) counter.reserved = add(counter.reserved, amount);
    const overruns = charges.filter((_, i) => over[i]);
    for (const [i, counter] of counters.entries()) if (over[i]) counter.overruns += 1;
    return { ok: true, overruns };
  }

  settle(charges: readonly Charge[], reserved: Amounts, actual: Amounts): void {
    for (const charge of charges) {
      const counter = this.#counter(charge);
      counter.reserved = add(counter.reserved, reserved, -1);
      counter.spent = add(counter.spent, actual);
      // Floating-point leftovers of add-then-subtract are not money anyone reserved.
      if (DIMENSIONS.every((d) => Math.abs(counter.reserved[d]) < 1e-9)) counter.reserved = NOTHING;
    }
  }

  /** Every counter held, sorted like the file's rows. */
  states(): BudgetState[] {
    return [...this.#counters.values()].map((counter) => ({ ...counter })).sort((a, b) => (chargeOrder(a) < chargeOrder(b) ? -1 : 1));
  }

  /** Counters of ended windows with nothing reserved are dropped once written. */
  #forgetEnded(now: number): void {
    if (now - this.#swept < SWEEP_INTERVAL_MS) return;
    this.#swept = now;
    for (const [key, counter] of this.#counters) {
      if (counter.windowEnd <= now && counter.reserved === NOTHING && !this.#dirty.has(key)) this.#counters.delete(key);
    }
  }

  flush(): void {
    const file = this.#options.file;
    if (!file || this.#dirty.size === 0) return;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    try {
      file.ledger.write(keys.flatMap((key) => (this.#counters.has(key) ? [{ ...this.#counters.get(key)! }] : [])));
    } catch (error) {
      for (const key of keys) this.#dirty.add(key);
      throw error;
    }
  }

  #tryFlush(): void {
    try {
      this.flush();
    } catch (error) {
      this.#options.onError?.(error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#tryFlush();
    this.#options.file?.ledger.close();
  }
}

const chargeOrder = (s: BudgetState) => JSON.stringify([s.gateway, s.budget, s.member, s.windowStart]);
