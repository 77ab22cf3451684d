/**
 * Budget counters in Redis, shared by every processor replica of a fleet. Reservations and
 * settlements are Lua scripts (redis-scripts.ts), so two replicas reserving at once cannot both
 * take the last of a budget. When Redis cannot be reached a reservation fails and the request is
 * refused (fail closed); a settlement that fails is logged.
 */
import { Redis } from "ioredis";
import { type Amounts, type BudgetLedger, type BudgetState, type Charge, DIMENSIONS, type Dimension, type ReserveOutcome } from "./ledger.ts";
import { RESERVE_SCRIPT, SETTLE_SCRIPT } from "./redis-scripts.ts";

/** How long a counter outlives its window, so reports can still show the last one. */
const KEEP_AFTER_WINDOW_MS = 35 * 86_400_000;
/** A reservation that waits longer for Redis is refused rather than holding the request. */
const COMMAND_TIMEOUT_MS = 2_000;

interface BudgetScripts {
  budgetReserve(keyCount: number, ...args: string[]): Promise<(number | string)[]>;
  budgetSettle(keyCount: number, ...args: string[]): Promise<number>;
}

const text = (value: number) => String(value);

export class RedisLedger implements BudgetLedger {
  readonly #redis: Redis & BudgetScripts;
  readonly #prefix: string;
  readonly #onError: (error: Error) => void;

  constructor(url: string, prefix: string, onError: (error: Error) => void) {
    const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true, commandTimeout: COMMAND_TIMEOUT_MS });
    redis.on("error", (error: Error) => onError(error));
    redis.defineCommand("budgetReserve", { lua: RESERVE_SCRIPT });
    redis.defineCommand("budgetSettle", { lua: SETTLE_SCRIPT });
    this.#redis = redis as Redis & BudgetScripts;
    this.#prefix = prefix;
    this.#onError = onError;
  }

  #key(charge: Charge): string {
    return `${this.#prefix}${JSON.stringify([charge.gateway, charge.budget.name, charge.member, charge.window.start])}`;
  }

  async reserve(charges: readonly Charge[], amount: Amounts): Promise<ReserveOutcome> {
    if (charges.length === 0) return { ok: true, overruns: [] };
    const perKey = charges.flatMap((charge) => {
      const limits = charge.budget.limits;
      return [
        charge.budget.mode,
        ...DIMENSIONS.map((d) => (limits[d] === undefined ? "" : text(limits[d]!))),
        text(charge.window.end + (charge.budget.period === "minute" ? 60_000 : KEEP_AFTER_WINDOW_MS)),
        charge.gateway,
        charge.budget.name,
        charge.member,
        text(charge.window.start),
        text(charge.window.end),
      ];
    });
    const reply = await this.#redis.budgetReserve(charges.length, ...charges.map((c) => this.#key(c)), ...DIMENSIONS.map((d) => text(amount[d])), ...perKey);
    if (Number(reply[0]) === 0) return { ok: false, refused: charges[Number(reply[1]) - 1]!, dimension: reply[2] as Dimension, used: Number(reply[3]) };
    return { ok: true, overruns: reply.slice(1).map((index) => charges[Number(index) - 1]!) };
  }

  settle(charges: readonly Charge[], reserved: Amounts, actual: Amounts): void {
    if (charges.length === 0) return;
    const args = [...DIMENSIONS.map((d) => text(-reserved[d])), ...DIMENSIONS.map((d) => text(actual[d]))];
    this.#redis.budgetSettle(charges.length, ...charges.map((c) => this.#key(c)), ...args).catch((error: Error) => this.#onError(error));
  }

  /** Every counter under the prefix (for reports). */
  async states(): Promise<BudgetState[]> {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await this.#redis.scan(cursor, "MATCH", `${this.#prefix}*`, "COUNT", 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
    const hashes = await Promise.all(keys.map((key) => this.#redis.hgetall(key)));
    return hashes.filter((h) => h["budget"] !== undefined).map(stateOf);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

function stateOf(hash: Record<string, string>): BudgetState {
  const amounts = (kind: "spent" | "reserved"): Amounts => ({ usd: Number(hash[`${kind}_usd`] ?? 0), tokens: Number(hash[`${kind}_tokens`] ?? 0), requests: Number(hash[`${kind}_requests`] ?? 0) });
  return {
    gateway: hash["gateway"] ?? "",
    budget: hash["budget"] ?? "",
    member: hash["member"] ?? "",
    windowStart: Number(hash["window_start"]),
    windowEnd: Number(hash["window_end"]),
    limits: Object.fromEntries(DIMENSIONS.flatMap((d) => (hash[`limit_${d}`] ? [[d, Number(hash[`limit_${d}`])]] : []))),
    spent: amounts("spent"),
    reserved: amounts("reserved"),
    overruns: Number(hash["overruns"] ?? 0),
  };
}
