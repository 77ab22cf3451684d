/**
 * The counters behind global limits: fixed windows aligned to the clock, in memory and in a real
 * redis-server, where replicas counting at once never lose or double a hit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCounters, windowOf } from "../../src/ratelimit/counters.ts";
import { RedisCounters } from "../../src/ratelimit/redis-counters.ts";
import { type RunningRedis, startRedis } from "../support/redis.ts";

const MINUTE = Date.UTC(2026, 11, 3, 10, 0, 0);
const hit = (counter: string, amount = 1) => ({ counter, periodSeconds: 60, amount });

let redis: RunningRedis;
const stores: RedisCounters[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await redis?.stop();
});

async function redisReplica(): Promise<RedisCounters> {
  const store = new RedisCounters(redis.url, () => {});
  await store.ready();
  stores.push(store);
  return store;
}

describe("rate-limit counters", () => {
  it("windows are aligned to the clock, so every replica agrees where one starts", () => {
    expect(windowOf(60, MINUTE + 59_999)).toEqual({ start: MINUTE, end: MINUTE + 60_000 });
    expect(windowOf(60, MINUTE + 60_000)).toEqual({ start: MINUTE + 60_000, end: MINUTE + 120_000 });
  });

  for (const [name, open] of [["memory", async () => new MemoryCounters()], ["redis", redisReplica]] as const) {
    it(`${name}: counts per counter, restarts at the window's end, says when that is`, async () => {
      const store = await open();
      expect(await store.add([hit(`${name}-a`), hit(`${name}-b`, 3)], MINUTE + 1_000)).toEqual([
        { count: 1, resetMs: 59_000 },
        { count: 3, resetMs: 59_000 },
      ]);
      expect(await store.add([hit(`${name}-a`)], MINUTE + 59_999)).toEqual([{ count: 2, resetMs: 1 }]);
      expect(await store.add([hit(`${name}-a`)], MINUTE + 60_000)).toEqual([{ count: 1, resetMs: 60_000 }]);
    });
  }

  it("redis: two replicas counting 200 hits at once end at 200, each count handed out once", async () => {
    const [one, two] = [await redisReplica(), await redisReplica()];
    const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).add([hit("race")], MINUTE + 5_000)));
    expect(counts.map(([count]) => count!.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it("redis: a store whose Redis is gone rejects, so Envoy applies the failure mode", async () => {
    const gone = await startRedis();
    const store = new RedisCounters(gone.url, () => {});
    await store.ready();
    await gone.stop();
    await expect(store.add([hit("gone")], MINUTE)).rejects.toThrow();
    await store.close();
  });
});
