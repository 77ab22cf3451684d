/**
 * Budgets in Redis, shared by two replicas (each a real Envoy with its own AI processor) against a
 * real redis-server: what one replica spends, the other sees; 50 concurrent requests spread over
 * both never overshoot (the Lua reservation is atomic); and without Redis, requests are refused
 * (fail closed) before any provider call.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import OpenAI, { type APIError, type RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promptTokenBound, usageOf } from "../../src/ai/budgets/worst-case.ts";
import { costUsd } from "../../src/ai/catalog.ts";
import { type BudgetGateway, startBudgetGateway } from "../support/ai-budget-gateway.ts";
import { type RunningRedis, startRedis } from "../support/redis.ts";

const messages = [{ role: "user" as const, content: "Say hello to the shared budget" }];
const prompt = promptTokenBound({ model: "fast", messages });
/** The alias `fast` caps answers at 50 tokens. */
const worstTokens = prompt + 50;
const worstUsd = costUsd("openai", "gpt-4o-mini", usageOf(prompt, 50))!;
const budgetStore = { redis: { env: "REDIS_URL" } };

let redis: RunningRedis;
let gateway: BudgetGateway;
beforeAll(async () => {
  redis = await startRedis();
  gateway = await startBudgetGateway({ replicas: 2, env: { REDIS_URL: redis.url } });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await redis?.stop();
});

const chat = (consumer: "alice" | "bob", replica: number) => gateway.client(consumer, replica).chat.completions.create({ model: "fast", messages });
const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;

async function redisCounters(keyPrefix?: string): Promise<{ budget: string; counts: string; spent: number; reserved: number; limit: number }[]> {
  const prefix = keyPrefix === undefined ? [] : ["--key-prefix", keyPrefix];
  const { stdout } = await promisify(execFile)(process.execPath, [main, "usage", "--budgets", "--redis", redis.url, ...prefix, "--format", "json"]);
  return JSON.parse(stdout);
}

describe("budgets in Redis", () => {
  it("are shared by two processors: what one replica spent, the other refuses past", async () => {
    await gateway.apply({ budgetStore, budgets: [{ name: "shared", scope: "global", tokens: worstTokens + 5, period: "day", timeZone: "Asia/Tokyo" }] });
    const calls = gateway.openai.requests.length;
    await chat("alice", 0);
    const error = await chat("bob", 1).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as RateLimitError).message).toContain('Budget "shared" for everyone would be exceeded');
    expect(gateway.openai.requests.length).toBe(calls + 1);
    expect((await redisCounters()).find((row) => row.budget === "shared")).toMatchObject({ counts: "tokens", reserved: 0, limit: worstTokens + 5 });
  });

  it("never overshoot under 50 concurrent requests spread over both replicas", async () => {
    const limit = worstUsd * 3;
    await gateway.apply({ budgetStore, budgets: [{ name: "crowd", scope: "global", usd: limit, period: "day" }] });
    const calls = gateway.openai.requests.length;
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => chat(i % 2 === 0 ? "alice" : "bob", i % 2)));
    const answered = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    const refused = outcomes.filter((outcome) => outcome.status === "rejected" && outcome.reason instanceof OpenAI.RateLimitError).length;
    expect(answered + refused).toBe(50);
    expect(refused).toBeGreaterThan(0);
    expect(gateway.openai.requests.length - calls).toBe(answered);
    // Settlements are written after the answers: wait until nothing is reserved any more.
    let crowd: { spent: number; reserved: number } | undefined;
    for (let tries = 0; tries < 50; tries++) {
      crowd = (await redisCounters()).find((row) => row.budget === "crowd");
      if (crowd && Math.abs(crowd.reserved) < 1e-12) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(Math.abs(crowd!.reserved)).toBeLessThan(1e-12);
    expect(crowd!.spent).toBeGreaterThan(0);
    expect(crowd!.spent).toBeLessThanOrEqual(limit);
  });

  it("keep their counters under the store's keyPrefix, apart from another gateway's on the same Redis", async () => {
    await gateway.apply({ budgetStore: { ...budgetStore, keyPrefix: "tenant-b:" }, budgets: [{ name: "apart", scope: "global", tokens: worstTokens * 4, period: "day" }] });
    await chat("alice", 0);
    expect((await redisCounters("tenant-b:")).find((row) => row.budget === "apart")).toMatchObject({ counts: "tokens", limit: worstTokens * 4 });
    expect((await redisCounters()).find((row) => row.budget === "apart")).toBeUndefined();
  });

  it("refuse requests while Redis cannot be reached (fail closed), before any provider call", async () => {
    await gateway.apply({ budgetStore, budgets: [{ name: "offline", scope: "global", usd: 1, period: "day" }] });
    await redis.stop();
    const calls = gateway.openai.requests.length;
    const error = await chat("alice", 0).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).code).toBe("budget_store_unavailable");
    expect(gateway.openai.requests.length).toBe(calls);
  });
});
