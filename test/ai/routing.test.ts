/**
 * Fallbacks, weighted targets and pooled keys without Envoy: what compiles (chains, their
 * clusters and routes, TLS per attempt), what is refused where it is written, how a request picks
 * its target, how pooled keys take turns and what budgets reserve for a chain. Through Envoy:
 * test/e2e/ai-fallbacks.test.ts.
 */
import { describe, expect, it } from "vitest";
import { attemptsFor } from "../../src/ai/routing/chains.ts";
import { KEY_BENCH_MS, KeyRotation } from "../../src/ai/routing/key-pool.ts";
import { pickTarget } from "../../src/ai/routing/pick.ts";
import { reservationFor } from "../../src/ai/routing/reservation.ts";
import type { AiModelIR, AiProviderIR } from "../../src/model/ir.ts";
import { SecretValue } from "../../src/model/secret-value.ts";
import { renderByType } from "../../src/xds/render.ts";
import { AI_HEAD, APP_KEYS, yamlCompiler } from "../support/yaml-compile.ts";

const compile = yamlCompiler(AI_HEAD, { env: { APP_KEYS, OPENAI_KEY: "sk-one-never-printed", OTHER_KEY: "sk-two-never-printed", ANTHROPIC_KEY: "sk-ant-never-printed" } });
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.map((d) => [d.code, d.severity, d.location?.line]);

const PROVIDERS = `providers:
  oai: { type: openai, apiKeys: [{ env: OPENAI_KEY }, { env: OTHER_KEY }] }
  claude: { type: anthropic, apiKey: { env: ANTHROPIC_KEY } }
`;

describe("compiling fallbacks, weights and key pools", () => {
  it("makes a chain per starting target: a cluster with one priority per attempt, TLS per provider, the processor as its upstream filter, and a route that retries into the next priority", async () => {
    const result = await compile(`${PROVIDERS}ai:
  access: { allow: [{ identity: apps }] }
  models:
    smart:
      targets: [{ provider: oai, model: gpt-4o, weight: 3 }, { provider: claude, model: claude-sonnet-4-5 }]
      fallbacks: [{ provider: claude, model: claude-haiku-4-5 }]
      attemptTimeout: 20s
      maxTokens: 100
`);
    expect(found(result)).toEqual([]);
    const ai = result.ir!.ai!;
    expect(ai.models[0]).toMatchObject({ alias: "smart", provider: "oai", model: "gpt-4o", attemptTimeoutMs: 20_000 });
    // Two starting targets; chat reaches all of them, the Messages passthrough only Anthropic's (when the alias starts there).
    const chains = ai.chains.map((chain): [readonly string[], string[]] => [chain.endpoints, chain.attempts.map((a) => `${a.provider}/${a.model}#${a.keySlot}`)]);
    expect(chains).toContainEqual([["chat"], ["oai/gpt-4o#0", "oai/gpt-4o#1", "claude/claude-sonnet-4-5#0", "claude/claude-haiku-4-5#0"]]);
    expect(chains).toContainEqual([["chat"], ["claude/claude-sonnet-4-5#0", "oai/gpt-4o#0", "oai/gpt-4o#1", "claude/claude-haiku-4-5#0"]]);
    // Embeddings: OpenAI's attempts only, whichever target the request started with.
    expect(chains).toContainEqual([["embeddings"], ["oai/gpt-4o#0", "oai/gpt-4o#1"]]);
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    const chain = ai.chains.find((c) => c.attempts.length === 4 && c.attempts[0]!.provider === "oai")!;
    expect(rendered).toContain(`name: ${chain.name}\ntype: STRICT_DNS`);
    expect(rendered).toContain("envoy.filters.http.ext_proc.ai_attempt");
    expect(rendered).toContain("xds.upstream_host_metadata.filter_metadata['portcullis.ai']['attempt']");
    expect(rendered).toMatch(/transport_socket_matches:\n {2}- name: claude\n {4}match:\n {6}provider: claude/);
    expect(rendered).toContain("envoy.retry_priorities.previous_priorities");
    expect(rendered).toMatch(/retry_on: 5xx,reset,connect-failure,retriable-status-codes\n\s+num_retries: 3\n\s+per_try_timeout: 20s/);
    expect(rendered).not.toMatch(/sk-(one|two|ant)-never-printed/);
  });

  it("keeps single-attempt aliases on their provider's route (no chain)", async () => {
    const result = await compile(`providers:
  claude: { type: anthropic, apiKey: { env: ANTHROPIC_KEY } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    solo: { targets: [{ provider: claude, model: claude-sonnet-4-5 }] }
`);
    expect(found(result)).toEqual([]);
    expect(result.ir!.ai!.chains).toEqual([]);
  });

  it("refuses what would have no effect or is ambiguous, where it is written", async () => {
    const result = await compile(`${PROVIDERS.replace("claude: { type: anthropic, apiKey: { env: ANTHROPIC_KEY } }", "claude: { type: anthropic, apiKey: { env: ANTHROPIC_KEY }, apiKeys: [{ env: ANTHROPIC_KEY }, { env: OTHER_KEY }] }")}  aws: { type: bedrock, region: eu-west-1, awsCredentials: { accessKeyId: { env: OPENAI_KEY }, secretAccessKey: { env: OTHER_KEY } }, apiKeys: [{ env: OPENAI_KEY }, { env: OTHER_KEY }] }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    zero: { targets: [{ provider: oai, model: gpt-4o, weight: 0 }] }
    timed: { targets: [{ provider: aws, model: anthropic.claude-3-haiku-20240307-v1:0 }], attemptTimeout: 5s, maxTokens: 10 }
    weighed: { targets: [{ provider: claude, model: claude-sonnet-4-5 }], fallbacks: [{ provider: oai, model: gpt-4o, weight: 2 }] }
`);
    expect(found(result)).toEqual([
      ["PCL4152", "error", 9],
      ["PCL4151", "error", 8],
      ["PCL4154", "error", 15],
      ["PCL4150", "error", 13],
      ["PCL4153", "error", 14],
    ]);
  });
});

const provider = (name: string, api: AiProviderIR["api"], keys = 1): AiProviderIR => ({
  name,
  type: api,
  api,
  cluster: name,
  catalog: api,
  upstream: { host: `${name}.test`, pathPrefix: "" },
  ...(keys > 1 ? { apiKeys: Array.from({ length: keys }, (_, i) => new SecretValue(`env:K${i}`, new TextEncoder().encode(`key-${name}-${i}`))) } : {}),
});
const alias = (targets: [string, string, number][], fallbacks: [string, string][] = []): AiModelIR => ({
  alias: "a",
  provider: targets[0]![0],
  model: targets[0]![1],
  targets: targets.map(([p, model, weight]) => ({ provider: p, model, weight })),
  fallbacks: fallbacks.map(([p, model]) => ({ provider: p, model, weight: 1 })),
  maxTokens: 100,
});

describe("picking a target by weight", () => {
  it("splits 10,000 request ids 3:1 within 2% and picks the same target for the same id", () => {
    const model = alias([["oai", "gpt-4o", 3], ["claude", "claude-sonnet-4-5", 1]]);
    const ids = Array.from({ length: 10_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const first = ids.filter((id) => pickTarget(model, id) === 0).length;
    expect(first / ids.length).toBeGreaterThan(0.73);
    expect(first / ids.length).toBeLessThan(0.77);
    const picked = ids.map((id) => pickTarget(model, id));
    expect(ids.map((id) => pickTarget(model, id))).toEqual(picked);
  });

  it("never starts with a target of weight 0", () => {
    const model = alias([["oai", "gpt-4o", 0], ["claude", "claude-sonnet-4-5", 1]]);
    expect(Array.from({ length: 1_000 }, (_, i) => pickTarget(model, `id-${i}`)).every((index) => index === 1)).toBe(true);
  });
});

describe("attempts", () => {
  const providers = new Map([["oai", provider("oai", "openai", 2)], ["claude", provider("claude", "anthropic")]]);
  it("go from the picked target through the others and the fallbacks, once per pooled key, serving the endpoint", () => {
    const model = alias([["oai", "gpt-4o", 1], ["claude", "claude-sonnet-4-5", 1]], [["claude", "claude-haiku-4-5"]]);
    expect(attemptsFor(model, 1, "chat", providers).map((a) => `${a.provider}#${a.keySlot}`)).toEqual(["claude#0", "oai#0", "oai#1", "claude#0"]);
    expect(attemptsFor(model, 0, "embeddings", providers).map((a) => `${a.provider}#${a.keySlot}`)).toEqual(["oai#0", "oai#1"]);
    expect(attemptsFor(model, 1, "messages", providers).map((a) => a.model)).toEqual(["claude-sonnet-4-5", "claude-haiku-4-5"]);
  });

  it("reserve budgets for the dearest target and the longest answer of the chain", () => {
    const model = alias([["oai", "gpt-4o", 1]], [["claude", "claude-sonnet-4-5"]]);
    const price = (p: AiProviderIR, _model: string, usage: { inputTokens: number; outputTokens: number }) => (p.name === "claude" ? 3 : 1) * (usage.inputTokens + usage.outputTokens);
    const reservation = reservationFor({ model: "a", messages: [] }, model, attemptsFor(model, 0, "chat", providers), providers, price);
    expect(reservation.price(providers.get("oai")!, "gpt-4o", { inputTokens: 10, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 })).toBe(30);
  });
});

describe("pooled keys", () => {
  const keys = ["a", "b", "c"].map((k) => new SecretValue(`env:${k}`, new TextEncoder().encode(k)));
  it("take turns, one step per request", () => {
    const rotation = new KeyRotation();
    expect([0, 1, 2, 3].map(() => rotation.order("g/p", keys, 0)[0])).toEqual([0, 1, 2, 0]);
  });

  it("leave a key answered with 401 last for KEY_BENCH_MS, then take it back in turn", () => {
    const rotation = new KeyRotation();
    rotation.bench(keys[0]!, 1_000);
    // Turn 0 would start with key 0; it is benched, so it goes last.
    expect(rotation.order("g/p", keys, 1_000)).toEqual([1, 2, 0]);
    expect(rotation.order("g/p", keys, 1_000 + KEY_BENCH_MS - 1)).toEqual([1, 2, 0]);
    expect(rotation.order("g/p", keys, 1_000 + KEY_BENCH_MS)).toEqual([2, 0, 1]);
  });
});
