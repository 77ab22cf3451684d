/**
 * Budgets and per-minute limits through real Envoy and the AI processor, called with the official
 * `openai` client as the API-key consumers alice (team red) and bob (no team). A refused request
 * gets an OpenAI-shaped 429 naming the budget and its reset, and never reaches the provider (the
 * fake counts its calls); nested budgets all hold; audit mode lets a request through and records
 * the overrun; counters survive a processor restart; 50 concurrent requests never overshoot.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import OpenAI, { type RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readBudgetStates } from "../../src/ai/budgets/ledger-file.ts";
import { windowAt } from "../../src/ai/budgets/windows.ts";
import { promptTokenBound, usageOf } from "../../src/ai/budgets/worst-case.ts";
import { costUsd } from "../../src/ai/catalog.ts";
import { openUsageDatabase } from "../../src/ai/usage-store.ts";
import { type BudgetGateway, startBudgetGateway } from "../support/ai-budget-gateway.ts";

const messages = [{ role: "user" as const, content: "Say hello to the budget" }];
/** The alias `fast` caps answers at 50 tokens. */
const CAP = 50;
const worstTokens = (maxTokens = CAP) => promptTokenBound({ model: "fast", messages }) + maxTokens;
const worstUsd = (maxTokens = CAP) => costUsd("openai", "gpt-4o-mini", usageOf(promptTokenBound({ model: "fast", messages }), maxTokens))!;

let gateway: BudgetGateway;
beforeAll(async () => {
  gateway = await startBudgetGateway();
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
});

const chat = (consumer: "alice" | "bob", extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
  gateway.client(consumer).chat.completions.create({ model: "fast", messages, ...extra });

/** The 429 a call got (fails the test if it succeeded or failed otherwise). */
async function refusedWith(call: Promise<unknown>): Promise<RateLimitError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  return error as RateLimitError;
}

const counters = () => {
  const db = openUsageDatabase(gateway.usageDb(), { readonly: true });
  try {
    return readBudgetStates(db, Date.now());
  } finally {
    db.close();
  }
};
/** The latest usage record, as the processor wrote it (behind, every second). */
const lastUsage = (): Record<string, unknown> | undefined => {
  const db = openUsageDatabase(gateway.usageDb(), { readonly: true });
  try {
    return db.prepare("SELECT * FROM usage ORDER BY id DESC LIMIT 1").get() as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
};
const counter = (budget: string, member: string) => counters().find((state) => state.budget === budget && state.member === member);

describe("budgets", () => {
  it("refuse a request that does not fit with a 429 before any upstream call, naming the budget and its calendar reset", async () => {
    await gateway.apply({ budgets: [{ name: "paris-month", scope: "global", usd: worstUsd() * 0.9, period: "month", timeZone: "Europe/Paris" }] });
    const calls = gateway.openai.requests.length;
    const error = await refusedWith(chat("alice"));
    const reset = new Date(windowAt("month", "Europe/Paris", Date.now()).end).toISOString();
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({ type: "rate_limit_error", code: "budget_exceeded", param: null });
    expect(error.message).toContain('Budget "paris-month" for everyone would be exceeded');
    expect(error.message).toContain(`It resets at ${reset} (Europe/Paris calendar)`);
    expect(Math.abs(Number(error.headers.get("retry-after")) - (Date.parse(reset) - Date.now()) / 1000)).toBeLessThan(60);
    // A streamed request is held to the budget too, and a smaller max_tokens fits.
    await refusedWith(gateway.client("bob").chat.completions.create({ model: "fast", messages, stream: true }));
    expect(gateway.openai.requests.length).toBe(calls);
    const small = await chat("alice", { max_tokens: 5 });
    expect(small.choices[0]?.message.content).toContain("Echo: Say hello");
    expect(gateway.openai.requests.length).toBe(calls + 1);
  });

  it("are nested: a request must fit every budget that applies to its caller, and takes nothing from the others when refused", async () => {
    await gateway.apply({
      budgets: [
        { name: "red-team", scope: "team", usd: 1, period: "day" },
        { name: "alice-cap", scope: "consumer", only: ["alice"], tokens: worstTokens(), period: "week", timeZone: "America/New_York" },
        { name: "all-day", scope: "global", tokens: 1_000_000, period: "day" },
      ],
    });
    const calls = gateway.openai.requests.length;
    await chat("alice");
    const error = await refusedWith(chat("alice"));
    expect(error.message).toContain('Budget "alice-cap" for consumer "alice" would be exceeded');
    expect(error.message).toContain(`of ${worstTokens()} tokens is spent or reserved this week`);
    // Who the caller is comes from the gateway's own identity headers; a client's copies are removed on arrival.
    const spoofed = await refusedWith(gateway.client("alice").chat.completions.create({ model: "fast", messages }, { headers: { "x-portcullis-consumer": "bob", "x-portcullis-identity": "other" } }));
    expect(spoofed.message).toContain('Budget "alice-cap" for consumer "alice"');
    // bob is neither alice nor in a team: only the global budget holds him.
    await chat("bob");
    expect(gateway.openai.requests.length).toBe(calls + 2);
    await vi.waitFor(() => {
      expect(counter("red-team", "red")?.spent.requests).toBe(1);
      expect(counter("all-day", "*")?.spent.requests).toBe(2);
      expect(counter("alice-cap", "alice")?.spent.requests).toBe(1);
    }, { timeout: 5_000 });
    expect(counter("all-day", "*")?.reserved).toEqual({ usd: 0, tokens: 0, requests: 0 });
  });

  it("in audit mode let the request through and record the overrun, which portcullis usage --budgets shows", async () => {
    await gateway.apply({ budgets: [{ name: "bob-watch", scope: "consumer", only: ["bob"], tokens: 1, period: "day", mode: "audit" }] });
    const answer = await chat("bob");
    expect(answer.choices[0]?.finish_reason).toBe("stop");
    await vi.waitFor(() => expect(counter("bob-watch", "bob")).toMatchObject({ overruns: 1, spent: { requests: 1 } }), { timeout: 5_000 });
    expect(counter("bob-watch", "bob")!.spent.tokens).toBe(answer.usage!.total_tokens);
    const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [main, "usage", "--budgets", "--db", gateway.usageDb(), "--format", "json"]);
    expect(JSON.parse(stdout)).toContainEqual({
      gateway: "ai-e2e",
      budget: "bob-watch",
      member: "bob",
      counts: "tokens",
      spent: answer.usage!.total_tokens,
      reserved: 0,
      limit: 1,
      resetsAt: new Date(windowAt("day", "UTC", Date.now()).end).toISOString(),
      overruns: 1,
    });
    const table = await promisify(execFile)(process.execPath, [main, "usage", "--budgets", "--db", gateway.usageDb()]);
    expect(table.stdout).toMatch(/^gateway\s+budget\s+member\s+counts\s+spent\s+reserved\s+limit\s+resets at\s+overruns$/m);
    expect(table.stdout).toMatch(/ai-e2e\s+bob-watch\s+bob\s+tokens\s+\d+\s+0\s+1\s+\S+Z\s+1/);
  });

  it("settle a streamed answer to its final usage chunk, and one the client cut off to an estimate recorded as such", async () => {
    await gateway.apply({ budgets: [{ name: "streams", scope: "consumer", only: ["bob"], tokens: 1_000_000, period: "day" }] });
    const whole = await gateway.client("bob").chat.completions.create({ model: "fast", messages, stream: true });
    for await (const _chunk of whole) {
      // read to the end
    }
    await vi.waitFor(() => expect(counter("streams", "bob")?.spent.requests).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(lastUsage()).toMatchObject({ consumer: "bob", stream: 1, usage_reported: 1 }), { timeout: 5_000 });
    const first = lastUsage()!;
    expect(counter("streams", "bob")!.spent.tokens).toBe(Number(first["input_tokens"]) + Number(first["output_tokens"]));

    const long = [{ role: "user" as const, content: `Repeat ${"word ".repeat(400)}` }];
    const controller = new AbortController();
    const cut = await gateway.client("bob").chat.completions.create({ model: "fast", messages: long, stream: true }, { signal: controller.signal });
    let chunks = 0;
    await (async () => {
      for await (const _chunk of cut) if (++chunks === 3) controller.abort();
    })().catch(() => undefined);
    await vi.waitFor(() => expect(counter("streams", "bob")?.spent.requests).toBe(2), { timeout: 5_000 });
    const estimated = counter("streams", "bob")!.spent.tokens - Number(first["input_tokens"]) - Number(first["output_tokens"]);
    const bound = promptTokenBound({ model: "fast", messages: long });
    // The prompt at its bound, and one token per event the client was sent, at most the alias's cap.
    expect(estimated).toBeGreaterThan(bound);
    expect(estimated).toBeLessThanOrEqual(bound + CAP);
    await vi.waitFor(() => expect(lastUsage()).toMatchObject({ usage_reported: 0, input_tokens: bound }), { timeout: 5_000 });
  });

  it("survive a restart of the processor: what was spent is written behind and reloaded", async () => {
    await gateway.apply({ budgets: [{ name: "kept", scope: "global", usd: 1, period: "day" }] });
    await chat("alice");
    await vi.waitFor(() => expect(counter("kept", "*")?.spent.requests).toBe(1), { timeout: 5_000 });
    const spent = counter("kept", "*")!.spent.usd;
    expect(spent).toBeGreaterThan(0);
    await gateway.restartProcessor();
    // Room for one more worst case only if nothing had been spent before the restart.
    await gateway.apply({ budgets: [{ name: "kept", scope: "global", usd: worstUsd() + spent / 2, period: "day" }] });
    const calls = gateway.openai.requests.length;
    const error = await refusedWith(chat("alice"));
    expect(error.message).toContain(`$${spent.toFixed(6)} of $${(worstUsd() + spent / 2).toFixed(6)} is spent or reserved today`);
    expect(gateway.openai.requests.length).toBe(calls);
  });

  it("never overshoot under 50 concurrent requests against a nearly spent budget; every refused one is refused before the provider", async () => {
    const limit = worstUsd() * 3;
    await gateway.apply({ budgets: [{ name: "crowd", scope: "global", usd: limit, period: "day" }] });
    const calls = gateway.openai.requests.length;
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => chat(i % 2 === 0 ? "alice" : "bob")));
    const answered = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    const refused = outcomes.filter((outcome) => outcome.status === "rejected" && outcome.reason instanceof OpenAI.RateLimitError).length;
    expect(answered + refused).toBe(50);
    expect(refused).toBeGreaterThan(0);
    expect(gateway.openai.requests.length - calls).toBe(answered);
    await vi.waitFor(() => expect(counter("crowd", "*")?.spent.requests).toBe(answered), { timeout: 5_000 });
    const state = counter("crowd", "*")!;
    expect(state.spent.usd).toBeLessThanOrEqual(limit);
    expect(state.reserved).toEqual({ usd: 0, tokens: 0, requests: 0 });
  });
});

describe("per-minute limits", () => {
  /** Starts a test early in a minute, so its requests all fall in one minute's window. */
  async function startOfAMinute(): Promise<void> {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
  }

  it("refuse past requests-per-minute and tokens-per-minute with a 429 and Retry-After until the minute ends", async () => {
    await gateway.apply({
      rateLimits: [
        { name: "bob-rpm", scope: "consumer", only: ["bob"], requestsPerMinute: 2 },
        { name: "red-tpm", scope: "team", tokensPerMinute: worstTokens() + 5 },
      ],
    });
    await startOfAMinute();
    const calls = gateway.openai.requests.length;
    await chat("bob");
    await chat("bob");
    const rpm = await refusedWith(chat("bob"));
    expect(rpm.error).toMatchObject({ code: "rate_limit_exceeded" });
    expect(rpm.message).toContain('Rate limit "bob-rpm" for consumer "bob" would be exceeded: 2 requests of 2 requests is spent or reserved this minute.');
    const retry = Number(rpm.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    await chat("alice");
    const tpm = await refusedWith(chat("alice"));
    expect(tpm.message).toContain('Rate limit "red-tpm" for team "red" would be exceeded');
    expect(gateway.openai.requests.length).toBe(calls + 3);
  });
});
