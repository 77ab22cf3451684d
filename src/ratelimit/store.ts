/** The counter store a service run uses: Redis when a URL is given (several replicas share it), memory otherwise. */
import { UserError } from "../errors.ts";
import type { Logger } from "../server/log.ts";
import { type CounterStore, MemoryCounters } from "./counters.ts";
import { RedisCounters } from "./redis-counters.ts";

/** A Redis URL with its password (if any) replaced, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "redacted";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

export async function openCounterStore(redisUrl: string | undefined, log: Logger): Promise<CounterStore> {
  if (redisUrl === undefined) return new MemoryCounters();
  if (!/^rediss?:\/\//.test(redisUrl)) throw new UserError(`--redis takes a redis:// or rediss:// URL, got ${redactedUrl(redisUrl)}`);
  let loggedAt = -Infinity;
  const store = new RedisCounters(redisUrl, (error) => {
    // ioredis reports every reconnect attempt; once every 10 s is enough to say Redis is away.
    if (Date.now() - loggedAt < 10_000) return;
    loggedAt = Date.now();
    log.warn("Redis for rate limits is unreachable; retrying", { redis: redactedUrl(redisUrl), error: error.message });
  });
  try {
    await store.ready();
  } catch (error) {
    await store.close();
    throw new UserError(`cannot reach Redis at ${redactedUrl(redisUrl)} for rate-limit counters: ${(error as Error).message}; start it, or leave out --redis to count in memory`);
  }
  return store;
}
