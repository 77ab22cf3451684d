/**
 * Counters in Redis, shared by every replica of the rate-limit service. Each hit is one Lua script
 * (INCRBY, and PEXPIRE when the window's key is new), so the count and its expiry are set
 * together and two replicas counting at once cannot lose a hit; a request's hits go in one
 * pipeline. The key names the window's start, so a key never outlives its window by more than
 * the expiry's slack. When Redis cannot be reached the call rejects, and Envoy applies the
 * limit's failureMode.
 */
import { Redis } from "ioredis";
import { type Count, type CounterStore, type Hit, windowOf } from "./counters.ts";

const COUNT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return count`;

/** Slower than this and the answer would come after Envoy gave up waiting (its default timeout is 1 s). */
const COMMAND_TIMEOUT_MS = 1_000;

interface CountCommand {
  rateLimitCount(key: string, amount: string, expireMs: string): Promise<number>;
}

export class RedisCounters implements CounterStore {
  readonly #redis: Redis & CountCommand;
  readonly #prefix: string;

  constructor(url: string, onError: (error: Error) => void, prefix = "portcullis:ratelimit:") {
    // No offline queue: while Redis is away a request fails at once instead of waiting for it.
    const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS });
    redis.on("error", onError);
    redis.defineCommand("rateLimitCount", { numberOfKeys: 1, lua: COUNT_SCRIPT });
    this.#redis = redis as Redis & CountCommand;
    this.#prefix = prefix;
  }

  /** Resolves once connected; a service should not take requests it can only fail. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.#redis.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.#redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async add(hits: readonly Hit[], nowMs: number): Promise<Count[]> {
    const windows = hits.map((hit) => windowOf(hit.periodSeconds, nowMs));
    const pipeline = this.#redis.pipeline();
    hits.forEach((hit, index) => {
      const { start, end } = windows[index]!;
      // Kept a second past the window's end, so replicas whose clocks lag a little still find it.
      (pipeline as unknown as CountCommand).rateLimitCount(`${this.#prefix}${hit.counter}:${start}`, String(hit.amount), String(end - nowMs + 1000));
    });
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, count], index) => {
      if (error) throw error;
      return { count: Number(count), resetMs: windows[index]!.end - nowMs };
    });
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
