/**
 * Fallbacks, weighted targets and pooled keys through real Envoy and the AI processor, with the
 * official openai client. Envoy makes every attempt (a chain's cluster has one priority per
 * attempt, retried with previous_priorities); the processor, as that cluster's upstream filter,
 * translates and signs each attempt for its own provider. Fakes speak each provider's wire format
 * and record the key they were sent.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { BudgetLedgers } from "../../src/ai/budgets/ledgers.ts";
import { promptTokenBound } from "../../src/ai/budgets/worst-case.ts";
import { AiGateways } from "../../src/ai/gateways.ts";
import { type AiProcessor, startAiProcessor } from "../../src/ai/processor-server.ts";
import type { UsageRecord } from "../../src/ai/usage.ts";
import { compileGateway } from "../../src/compile.ts";
import type { Budget, GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { silentLogger } from "../../src/server/log.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { type RunningEnvoy, startEnvoy } from "../support/envoy.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-providers/anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../support/fake-providers/openai.ts";
import { type FakeGemini, startFakeGemini } from "../support/fake-providers/gemini.ts";
import { type FakeServer, startFakeServer } from "../support/fake-providers/server.ts";
import { freePorts } from "../support/ports.ts";

const secret = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;
const keys = { alice: secret("gw-alice-"), openai: secret("sk-proj-"), anthropic: secret("sk-ant-api03-"), revoked: secret("sk-proj-revoked-"), pooled: secret("sk-proj-pooled-"), gemini: secret("AIza"), geminiRevoked: secret("AIza-revoked-") };
const plaintext = { reason: "fake provider on the loopback interface" };
const messages = [{ role: "user" as const, content: "hello fallback" }];

let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
/** An OpenAI account whose first pooled key was revoked: it answers only the second. */
let pooled: FakeOpenAi;
let gemini: FakeGemini;
/** Never answers: the attempt timeout ends its attempts. */
let silent: FakeServer;
/** Starts a stream, then breaks the connection. */
let breaking: FakeServer;
let envoy: RunningEnvoy;
let processor: AiProcessor;
let ledgers: BudgetLedgers;
let listener: number;
/** Recompiles with these budgets and hands the processor the result (budgets change nothing in Envoy). */
let apply: (budgets: Budget[]) => Snapshot;
const usage: UsageRecord[] = [];

function gatewayConfig(ports: { listener: number; processor: number; refused: number }, budgets: Budget[]): GatewayConfig {
  const openAiCompatible = (port: number) => ({ type: "openai-compatible" as const, baseUrl: `http://127.0.0.1:${port}/v1`, plaintext });
  return {
    gateway: { name: "ai-fallbacks", listeners: [{ name: "web", address: "127.0.0.1", port: ports.listener, hostnames: ["*"] }] },
    identities: { apps: { type: "apiKey", from: { header: "authorization" }, consumers: [{ name: "alice", team: "red", keys: { env: "ALICE_KEYS" } }] } },
    providers: {
      oai: { type: "openai", baseUrl: `http://127.0.0.1:${openai.port}/v1`, apiKey: { env: "OPENAI_KEY" }, plaintext },
      claude: { type: "anthropic", baseUrl: `http://127.0.0.1:${anthropic.port}`, apiKey: { env: "ANTHROPIC_KEY" }, plaintext },
      pool: { type: "openai", baseUrl: `http://127.0.0.1:${pooled.port}/v1`, apiKeys: [{ env: "REVOKED_KEY" }, { env: "POOLED_KEY" }], plaintext },
      gempool: { type: "gemini", baseUrl: gemini.origin, apiKeys: [{ env: "REVOKED_GEMINI_KEY" }, { env: "GEMINI_KEY" }], plaintext },
      refused: openAiCompatible(ports.refused),
      silent: openAiCompatible(silent.port),
      breaking: openAiCompatible(breaking.port),
    },
    ai: {
      access: { allow: [{ identity: "apps" }] },
      processor: { address: `127.0.0.1:${ports.processor}` },
      models: {
        // OpenAI first; Anthropic when OpenAI fails before answering.
        resilient: { targets: [{ provider: "oai", model: "gpt-4o-mini" }], fallbacks: [{ provider: "claude", model: "claude-sonnet-4-5" }], maxTokens: 40 },
        unreachable: { targets: [{ provider: "refused", model: "m" }], fallbacks: [{ provider: "oai", model: "gpt-4o-mini" }], maxTokens: 40 },
        stalled: { targets: [{ provider: "silent", model: "m" }], fallbacks: [{ provider: "oai", model: "gpt-4o-mini" }], attemptTimeout: "1s", maxTokens: 40 },
        broken: { targets: [{ provider: "breaking", model: "m" }], fallbacks: [{ provider: "oai", model: "gpt-4o-mini" }], maxTokens: 40 },
        split: {
          targets: [
            { provider: "oai", model: "gpt-4o-mini", weight: 3 },
            { provider: "claude", model: "claude-haiku-4-5", weight: 1 },
          ],
          maxTokens: 40,
        },
        pooled: { targets: [{ provider: "pool", model: "gpt-4o-mini" }], maxTokens: 40 },
        "gemini-pooled": { targets: [{ provider: "gempool", model: "gemini-2.5-flash" }], maxTokens: 40 },
        budgeted: { targets: [{ provider: "refused", model: "m" }], fallbacks: [{ provider: "claude", model: "claude-sonnet-4-5" }], maxTokens: 40 },
      },
      budgets,
    },
  };
}

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: keys.openai });
  anthropic = await startFakeAnthropic({ apiKey: keys.anthropic });
  pooled = await startFakeOpenAi({ apiKey: keys.pooled });
  gemini = await startFakeGemini({ apiKey: keys.gemini });
  silent = await startFakeServer((_request, res) => new Promise<void>((resolve) => res.on("close", resolve)));
  breaking = await startFakeServer((_request, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = { id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "Half" }, finish_reason: null }] };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`, () => setTimeout(() => res.socket?.destroy(), 50));
  });
  const [listenerPort, processorPort, refusedPort] = await freePorts(3);
  listener = listenerPort!;
  ledgers = new BudgetLedgers({ onError: () => {} });
  const gateways = new AiGateways();
  const env = { ALICE_KEYS: keys.alice, OPENAI_KEY: keys.openai, ANTHROPIC_KEY: keys.anthropic, REVOKED_KEY: keys.revoked, POOLED_KEY: keys.pooled, GEMINI_KEY: keys.gemini, REVOKED_GEMINI_KEY: keys.geminiRevoked };
  processor = await startAiProcessor({
    address: { kind: "tcp", host: "127.0.0.1", port: processorPort! },
    gateways,
    deps: { usage: { record: (entry) => void usage.push(entry) }, budgets: ledgers },
    log: silentLogger,
  });
  const ports = { listener, processor: processor.port, refused: refusedPort! };
  apply = (budgets) => {
    const { snapshot, ir, diagnostics } = compileGateway(gatewayConfig(ports, budgets), undefined, { env });
    if (!snapshot || !ir) throw new Error(`the fallback gateway config does not compile: ${JSON.stringify(diagnostics)}`);
    gateways.apply(ir);
    return snapshot;
  };
  // A budget far from its limit: reservations are made and settled on every request.
  const snapshot = apply([{ name: "roomy", scope: "team", only: ["red"], tokens: 1_000_000, period: "day" }]);
  envoy = await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot)) as Record<string, unknown>, ...(process.env["DEBUG_ENVOY"] ? { logLevel: "debug" } : {}) });
}, 60_000);

afterAll(async () => {
  if (process.env["DEBUG_ENVOY"]) (await import("node:fs")).writeFileSync("/tmp/fallbacks-envoy.log", envoy.output());
  await envoy?.stop();
  await processor?.close();
  await ledgers?.close();
  for (const fake of [openai, anthropic, pooled, gemini, silent, breaking]) await fake?.close();
});

const client = () => new OpenAI({ apiKey: keys.alice, baseURL: `http://127.0.0.1:${listener}/ai/v1`, maxRetries: 0 });
const lastRecord = async (alias: string) => {
  // The record is written when the client's stream closes, just after the answer.
  for (let i = 0; i < 100 && !usage.some((entry) => entry.alias === alias); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return usage.filter((entry) => entry.alias === alias).at(-1)!;
};

describe("fallbacks before the first byte", () => {
  for (const status of [429, 500]) {
    it(`falls back from OpenAI to Anthropic on ${status}: Anthropic gets a native request with its own key`, async () => {
      openai.requests.length = 0;
      anthropic.requests.length = 0;
      usage.length = 0;
      openai.failNext(status, { error: { message: "try later", type: "requests", param: null, code: null } });
      const completion = await client().chat.completions.create({ model: "resilient", messages });
      expect(completion.object).toBe("chat.completion");
      expect(completion.choices[0]?.message.content).toBe("Echo: hello fallback");
      expect(openai.requests).toHaveLength(1);
      expect(openai.requests[0]!.headers.authorization).toBe(`Bearer ${keys.openai}`);
      const seen = anthropic.requests[0]!;
      expect(seen.path).toBe("/v1/messages");
      expect(seen.headers["x-api-key"]).toBe(keys.anthropic);
      expect(seen.headers.host).toBe(`127.0.0.1:${anthropic.port}`);
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.json).toMatchObject({ model: "claude-sonnet-4-5", max_tokens: 40, messages: [{ role: "user", content: "hello fallback" }] });
      expect(Object.keys(seen.headers).filter((name) => name.startsWith("x-portcullis"))).toEqual([]);
      const record = await lastRecord("resilient");
      expect(record).toMatchObject({ provider: "claude", model: "claude-sonnet-4-5", status: 200, target: { provider: "oai", model: "gpt-4o-mini" }, usageReported: true });
      expect(record.attempts).toEqual([
        { provider: "oai", model: "gpt-4o-mini", status },
        { provider: "claude", model: "claude-sonnet-4-5", status: 200 },
      ]);
    });
  }

  it("falls back when the first provider refuses the connection", async () => {
    usage.length = 0;
    const completion = await client().chat.completions.create({ model: "unreachable", messages });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello fallback");
    expect((await lastRecord("unreachable")).attempts).toEqual([
      { provider: "refused", model: "m", status: 0, reason: "no-answer" },
      { provider: "oai", model: "gpt-4o-mini", status: 200 },
    ]);
  });

  it("falls back when the first provider does not start answering within the attempt timeout", async () => {
    usage.length = 0;
    silent.requests.length = 0;
    const completion = await client().chat.completions.create({ model: "stalled", messages });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello fallback");
    expect(silent.requests).toHaveLength(1);
    expect((await lastRecord("stalled")).attempts).toEqual([
      { provider: "silent", model: "m", status: 0, reason: "no-answer" },
      { provider: "oai", model: "gpt-4o-mini", status: 200 },
    ]);
  });

  it("does not retry a stream that broke after its first byte: the client sees the error", async () => {
    usage.length = 0;
    openai.requests.length = 0;
    const stream = await client().chat.completions.create({ model: "broken", messages, stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
      })(),
    ).rejects.toThrow();
    expect(seen).toEqual(["Half"]);
    expect(openai.requests).toHaveLength(0);
    expect((await lastRecord("broken")).attempts).toEqual([{ provider: "breaking", model: "m", status: 200 }]);
  });

  it("answers the last attempt's error, in OpenAI's shape, when every attempt fails", async () => {
    usage.length = 0;
    openai.failNext(503, { error: { message: "overloaded", type: "server_error", param: null, code: null } });
    const error = await client().chat.completions.create({ model: "unreachable", messages }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("overloaded");
    expect((await lastRecord("unreachable")).attempts).toEqual([
      { provider: "refused", model: "m", status: 0, reason: "no-answer" },
      { provider: "oai", model: "gpt-4o-mini", status: 503 },
    ]);
  });
});

describe("weighted targets", () => {
  it("splits requests by weight (3:1), each request always picking the same target", async () => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
    const total = 80;
    for (let i = 0; i < total; i++) await client().chat.completions.create({ model: "split", messages });
    const toOpenAi = openai.requests.length;
    expect(toOpenAi + anthropic.requests.length).toBe(total);
    // 60 expected; a hash of random request ids lands within ±15 for all but about 1 run in 10,000.
    expect(toOpenAi).toBeGreaterThanOrEqual(45);
    expect(toOpenAi).toBeLessThanOrEqual(75);
    expect(anthropic.requests.every((request) => (request.json as { model: string }).model === "claude-haiku-4-5")).toBe(true);
  });
});

describe("pooled keys", () => {
  it("moves on to the next key on 401, records which key answered, and leaves the revoked key out of the turn", async () => {
    pooled.requests.length = 0;
    usage.length = 0;
    const first = await client().chat.completions.create({ model: "pooled", messages });
    expect(first.choices[0]?.message.content).toBe("Echo: hello fallback");
    const seenKeys = pooled.requests.map((request) => request.headers.authorization);
    // The turn may start at either key; the revoked one, if tried, got a 401 and the pooled one answered.
    expect(seenKeys.at(-1)).toBe(`Bearer ${keys.pooled}`);
    const record = await lastRecord("pooled");
    expect(record.attempts?.at(-1)).toMatchObject({ provider: "pool", status: 200 });
    if (seenKeys.length === 2) expect(record.attempts?.[0]).toMatchObject({ provider: "pool", status: 401 });
    // Whichever key the next requests start with in turn, the revoked key is out of it now.
    pooled.requests.length = 0;
    await client().chat.completions.create({ model: "pooled", messages });
    await client().chat.completions.create({ model: "pooled", messages });
    expect(pooled.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${keys.pooled}`, `Bearer ${keys.pooled}`]);
  });

  it("moves on from a key Gemini refuses with 400 API_KEY_INVALID as from a 401", async () => {
    gemini.requests.length = 0;
    usage.length = 0;
    // Whichever key the turn starts with, the revoked one is tried once in two requests, then left out.
    for (let i = 0; i < 3; i++) expect((await client().chat.completions.create({ model: "gemini-pooled", messages })).choices[0]?.message.content).toBe("Echo: hello fallback");
    const seenKeys = gemini.requests.map((request) => request.headers["x-goog-api-key"]);
    expect(seenKeys.filter((key) => key === keys.geminiRevoked)).toHaveLength(1);
    expect(seenKeys.filter((key) => key === keys.gemini)).toHaveLength(3);
    await lastRecord("gemini-pooled");
    const refused = usage.find((entry) => entry.alias === "gemini-pooled" && entry.attempts?.length === 2);
    expect(refused?.attempts).toEqual([expect.objectContaining({ provider: "gempool", status: 401 }), expect.objectContaining({ provider: "gempool", status: 200 })]);
  });

  it("passes a Gemini 400 that is no key refusal to the client, without trying another key", async () => {
    gemini.requests.length = 0;
    gemini.failNext(400, { error: { code: 400, message: "Invalid JSON payload received.", status: "INVALID_ARGUMENT" } });
    const error = await client().chat.completions.create({ model: "gemini-pooled", messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ message: "Invalid JSON payload received." });
    expect(gemini.requests).toHaveLength(1);
  });
});

describe("budgets with fallbacks", () => {
  it("reserve every target's worst case, settle against the target that answered, and never overshoot under concurrent requests", async () => {
    // Anthropic answers every one (OpenAI's connection is refused); the budget fits three worst cases.
    const worst = promptTokenBound({ model: "budgeted", messages }) + 40;
    const limit = worst * 3;
    apply([{ name: "tight", scope: "team", only: ["red"], tokens: limit, period: "day" }]);
    usage.length = 0;
    anthropic.requests.length = 0;
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => client().chat.completions.create({ model: "budgeted", messages })));
    const answered = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    const refused = outcomes.filter((outcome) => outcome.status === "rejected" && outcome.reason instanceof OpenAI.RateLimitError).length;
    expect(answered + refused).toBe(12);
    expect(refused).toBeGreaterThan(0);
    // Refused requests never reached a provider.
    expect(anthropic.requests).toHaveLength(answered);
    for (let i = 0; i < 100 && usage.length < answered; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(usage.every((entry) => entry.provider === "claude" && entry.attempts?.length === 2)).toBe(true);
    const spent = usage.reduce((sum, entry) => sum + entry.inputTokens + entry.outputTokens, 0);
    expect(spent).toBeLessThanOrEqual(limit);
  });
});
