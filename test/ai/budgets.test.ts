/**
 * Budgets without Envoy: the calendar window math at fixed instants (DST days, month ends, a
 * skipped midnight), the in-memory ledger's all-or-nothing reservations, audit mode, write-behind
 * and reload, and what compile refuses (unknown time zone, unpriced model under a money budget,
 * members that do not exist).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { settledUsage } from "../../src/ai/budgets/admission.ts";
import { chargesFor } from "../../src/ai/budgets/charges.ts";
import { BudgetLedgers } from "../../src/ai/budgets/ledgers.ts";
import type { Charge } from "../../src/ai/budgets/ledger.ts";
import { readBudgetStates } from "../../src/ai/budgets/ledger-file.ts";
import { MemoryLedger } from "../../src/ai/budgets/memory-ledger.ts";
import { WindowCache, windowAt } from "../../src/ai/budgets/windows.ts";
import { answerTokenBound, promptTokenBound } from "../../src/ai/budgets/worst-case.ts";
import { openUsageDatabase } from "../../src/ai/usage-store.ts";
import { compileGatewayFile } from "../../src/compile.ts";
import type { AiBudgetIR, AiModelIR, AiProviderIR } from "../../src/model/ir.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-budgets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const iso = (ms: number) => new Date(ms).toISOString();
const window = (period: AiBudgetIR["period"], zone: string, at: string) => {
  const found = windowAt(period, zone, Date.parse(at));
  return [iso(found.start), iso(found.end)];
};

describe("budget windows", () => {
  it("follow the calendar of the time zone across DST changes, month ends and leap years", () => {
    // Paris is UTC+1 in winter, UTC+2 from 29 March 2026: March starts at 23:00Z and ends at 22:00Z.
    expect(window("month", "Europe/Paris", "2026-03-15T12:00:00Z")).toEqual(["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"]);
    // The day the clocks go forward has 23 hours.
    expect(window("day", "Europe/Paris", "2026-03-29T12:00:00Z")).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    // 23:30Z on 31 January is already 1 February in Paris.
    expect(window("month", "Europe/Paris", "2026-01-31T23:30:00Z")).toEqual(["2026-01-31T23:00:00.000Z", "2026-02-28T23:00:00.000Z"]);
    // The week of Sunday 1 November 2026 (New York falls back that night) started on Monday at EDT midnight and ends at EST midnight.
    expect(window("week", "America/New_York", "2026-11-01T12:00:00Z")).toEqual(["2026-10-26T04:00:00.000Z", "2026-11-02T05:00:00.000Z"]);
    // Santiago skips midnight on 6 September 2026: that day starts at 01:00 local.
    expect(window("day", "America/Santiago", "2026-09-06T12:00:00Z")).toEqual(["2026-09-06T04:00:00.000Z", "2026-09-07T03:00:00.000Z"]);
    expect(window("month", "UTC", "2028-02-10T00:00:00Z")).toEqual(["2028-02-01T00:00:00.000Z", "2028-03-01T00:00:00.000Z"]);
    // New Year arrives in Auckland while it is still 31 December in UTC.
    expect(window("month", "Pacific/Auckland", "2026-12-31T12:00:00Z")).toEqual(["2026-12-31T11:00:00.000Z", "2027-01-31T11:00:00.000Z"]);
    expect(window("day", "Asia/Kolkata", "2026-06-01T18:29:59.999Z")).toEqual(["2026-05-31T18:30:00.000Z", "2026-06-01T18:30:00.000Z"]);
    expect(window("week", "UTC", "2026-12-03T08:00:00Z")).toEqual(["2026-11-30T00:00:00.000Z", "2026-12-07T00:00:00.000Z"]);
    expect(window("minute", "UTC", "2026-06-01T18:29:59.999Z")).toEqual(["2026-06-01T18:29:00.000Z", "2026-06-01T18:30:00.000Z"]);
  });
});

const budget = (name: string, limits: AiBudgetIR["limits"], mode: AiBudgetIR["mode"] = "block"): AiBudgetIR => ({ name, kind: "budget", scope: "global", limits, period: "month", timeZone: "UTC", mode });
const NOW = Date.parse("2026-12-03T08:00:00Z");
const charge = (b: AiBudgetIR): Charge => ({ gateway: "g", budget: b, member: "*", window: windowAt(b.period, b.timeZone, NOW) });
const amount = (usd: number, tokens = 0) => ({ usd, tokens, requests: 1 });

describe("the in-memory ledger", () => {
  it("reserves from every budget or from none, names the one that refuses, and settles to what was used", () => {
    const ledger = new MemoryLedger();
    const team = charge(budget("team", { usd: 1 }));
    const everyone = charge(budget("everyone", { usd: 10, tokens: 1000 }));
    expect(ledger.reserve([everyone, team], amount(0.6, 100), NOW)).toEqual({ ok: true, overruns: [] });
    const refused = ledger.reserve([everyone, team], amount(0.6, 100), NOW);
    expect(refused).toMatchObject({ ok: false, refused: { budget: { name: "team" } }, dimension: "usd", used: 0.6 });
    // The refused request took nothing from the budget that had room.
    expect(ledger.states().find((s) => s.budget === "everyone")?.reserved).toEqual(amount(0.6, 100));
    ledger.settle([everyone, team], amount(0.6, 100), amount(0.1, 30));
    expect(ledger.states().map((s) => [s.budget, s.spent, s.reserved])).toEqual([
      ["everyone", amount(0.1, 30), { usd: 0, tokens: 0, requests: 0 }],
      ["team", amount(0.1, 30), { usd: 0, tokens: 0, requests: 0 }],
    ]);
    expect(ledger.reserve([everyone, team], amount(0.6, 100), NOW)).toMatchObject({ ok: true });
  });

  it("lets a request through an audit-mode budget and counts the overrun", () => {
    const ledger = new MemoryLedger();
    const audited = charge(budget("watch", { tokens: 10 }, "audit"));
    const outcome = ledger.reserve([audited], amount(0, 50), NOW);
    expect(outcome).toEqual({ ok: true, overruns: [audited] });
    expect(ledger.states()[0]).toMatchObject({ budget: "watch", reserved: amount(0, 50), overruns: 1 });
  });

  it("writes counters behind to SQLite and reloads them, counting reservations left open by a crash as spent", async () => {
    const file = join(dir, "usage.db");
    const first = new BudgetLedgers({ file, onError: (error) => expect.fail(error.message) });
    const monthly = charge(budget("monthly", { usd: 5 }));
    const ledger = first.for({ kind: "memory" });
    await ledger.reserve([monthly], amount(1), NOW);
    ledger.settle([monthly], amount(1), amount(0.25));
    await ledger.reserve([monthly], amount(2), NOW); // still open when the process "dies"
    (ledger as MemoryLedger).flush();
    const db = openUsageDatabase(file, { readonly: true });
    expect(readBudgetStates(db, NOW).map((s) => [s.budget, s.spent.usd, s.reserved.usd])).toEqual([["monthly", 0.25, 2]]);
    db.close();
    const second = new BudgetLedgers({ file, onError: (error) => expect.fail(error.message) });
    const reloaded = second.for({ kind: "memory" });
    expect((reloaded as MemoryLedger).states().map((s) => [s.spent.usd, s.reserved.usd])).toEqual([[2.25, 0]]);
    expect(await reloaded.reserve([monthly], amount(2.8), NOW)).toMatchObject({ ok: false, used: 2.25 });
    await second.close();
    await first.close();
  });
});

describe("who and what a request is charged for", () => {
  const scoped = (scope: AiBudgetIR["scope"], only?: string[]): AiBudgetIR => ({ ...budget(scope, { tokens: 1 }), scope, ...(only ? { only } : {}) });
  const budgets = [scoped("global"), scoped("identity"), scoped("subject"), scoped("consumer", ["alice"]), scoped("team")];
  const charged = (caller: Parameters<typeof chargesFor>[2]) => chargesFor("g", budgets, caller, new WindowCache(), NOW).map((c) => `${c.budget.name}:${c.member}`);

  it("charges every budget whose scope the verified caller has a member of, and `only` those listed", () => {
    expect(charged({ identity: "apps", consumer: "alice", team: "red" })).toEqual(["global:*", "identity:apps", "consumer:alice", "team:red"]);
    expect(charged({ identity: "apps", consumer: "bob" })).toEqual(["global:*", "identity:apps"]);
    expect(charged({ identity: "staff", subject: "user-42" })).toEqual(["global:*", "identity:staff", "subject:user-42"]);
    expect(charged({})).toEqual(["global:*"]);
  });

  const model: AiModelIR = { alias: "fast", provider: "oai", model: "gpt-4o-mini", targets: [{ provider: "oai", model: "gpt-4o-mini", weight: 1 }], fallbacks: [], maxTokens: 100 };
  const provider: AiProviderIR = { name: "oai", type: "openai", api: "openai", cluster: "oai", catalog: "openai" };

  it("bounds the worst case: prompt bytes (an inline image at a fixed allowance), the answer cap times n, the context window without one", () => {
    const text = { model: "fast", messages: [{ role: "user", content: "héllo" }] };
    // Never fewer than the UTF-8 bytes of what the model reads: no tokenizer makes more tokens than that.
    expect(promptTokenBound(text)).toBeGreaterThanOrEqual(Buffer.byteLength("rolecontentuserhéllo"));
    const image = { model: "fast", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(100_000)}` } }] }] };
    expect(promptTokenBound(image)).toBeLessThan(7_000);
    expect(answerTokenBound({ ...text, max_tokens: 20, n: 3 }, model, provider)).toBe(60);
    expect(answerTokenBound(text, model, provider)).toBe(100);
    expect(answerTokenBound(text, { ...model, maxTokens: undefined } as unknown as AiModelIR, provider)).toBe(128_000);
    // Anthropic requires max_tokens: without one from the client or the alias, the adapter sends its default.
    expect(answerTokenBound(text, { ...model, maxTokens: undefined } as unknown as AiModelIR, { ...provider, type: "anthropic", api: "anthropic", catalog: "anthropic" })).toBe(4096);
  });

  it("settles to the reported usage, else to an estimate: one token per streamed event, the whole cap for an unstreamed answer, nothing for a refusal", () => {
    const hold = { ledger: new MemoryLedger(), charges: [], reserved: amount(1, 150), promptTokens: 50, answerTokens: 100, overruns: [] };
    const reported = { inputTokens: 7, outputTokens: 3, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
    expect(settledUsage(hold, { status: 200, usage: reported, streamed: true, events: 9 })).toBe(reported);
    expect(settledUsage(hold, { status: 200, usage: undefined, streamed: true, events: 9 })).toMatchObject({ inputTokens: 50, outputTokens: 9 });
    expect(settledUsage(hold, { status: 200, usage: undefined, streamed: true, events: 900 })).toMatchObject({ outputTokens: 100 });
    expect(settledUsage(hold, { status: 200, usage: undefined, streamed: false, events: 0 })).toMatchObject({ inputTokens: 50, outputTokens: 100 });
    expect(settledUsage(hold, { status: 429, usage: undefined, streamed: false, events: 0 })).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });
});

const HEAD = `gateway:
  name: ai
  listeners: [{ name: web, port: 8080, hostnames: [ai.test] }]
identities:
  apps: { type: apiKey, consumers: [{ name: alice, team: red, keys: { env: APP_KEYS } }] }
providers:
  oai: { type: openai, apiKey: { env: K } }
  local: { type: openai-compatible, baseUrl: "http://127.0.0.1:8000/v1", plaintext: { reason: "a model server on this host" } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    fast: { targets: [{ provider: oai, model: gpt-4o-mini }] }
    own: { targets: [{ provider: local, model: my-llama }], maxTokens: 500 }
`;

let count = 0;
async function compile(yaml: string) {
  const file = join(dir, `gateway-${++count}.yaml`);
  writeFileSync(file, HEAD + yaml);
  return compileGatewayFile(file, { env: { APP_KEYS: "app-key-0123456789abcdef", K: "sk-k" } });
}
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.map((d) => [d.code, d.severity, d.location?.line]);

describe("budgets at compile time", () => {
  it("resolve to the IR with their defaults, and a model without a price stays a warning while no money is budgeted", async () => {
    const result = await compile(`  budgets:
    - { name: red-tokens, scope: team, only: [red], tokens: 100000, period: week, timeZone: Europe/Paris, mode: audit }
  rateLimits:
    - { name: per-consumer, scope: consumer, requestsPerMinute: 60 }
`);
    expect(found(result)).toEqual([["PCL4052", "warning", 13]]);
    expect(result.ir?.ai?.budgets).toEqual([
      { name: "red-tokens", kind: "budget", scope: "team", only: ["red"], limits: { tokens: 100000 }, period: "week", timeZone: "Europe/Paris", mode: "audit" },
      { name: "per-consumer", kind: "rate-limit", scope: "consumer", limits: { requests: 60 }, period: "minute", timeZone: "UTC", mode: "block" },
    ]);
    expect(result.ir?.ai?.budgetStore).toEqual({ kind: "memory" });
  });

  it("refuses an unknown time zone, a model without a price under a money budget, unknown members, limitless and twice-named budgets, where they are written", async () => {
    const result = await compile(`  budgets:
    - { name: monthly, scope: global, usd: 10, period: month, timeZone: Europe/Pariss }
    - { name: blue, scope: team, only: [blue], usd: 1, period: day }
    - { name: daily, scope: global, period: day, only: [x] }
  rateLimits:
    - { name: monthly, scope: consumer }
`);
    expect(found(result).sort()).toEqual([
      ["PCL4053", "error", 15],
      ["PCL4054", "error", 17],
      ["PCL4054", "error", 19],
      ["PCL4055", "error", 16],
      ["PCL4056", "error", 19],
      ["PCL4057", "error", 13],
      ["PCL4059", "error", 17],
    ]);
    expect(result.diagnostics.find((d) => d.code === "PCL4053")?.message).toContain('"Europe/Pariss"');
    expect(result.diagnostics.find((d) => d.code === "PCL4057")?.message).toContain('budget "blue" counts US dollars');
    expect(result.snapshot).toBeUndefined();
  });
});
