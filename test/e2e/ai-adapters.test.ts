/**
 * Gemini, Azure OpenAI and Bedrock through real Envoy and the AI processor: the official openai
 * client calls the gateway's OpenAI-compatible API (plain, streamed, tools); Envoy sends each
 * fake provider a native request at the path of its model, with the credential the processor
 * injected (Gemini's x-goog-api-key, Azure's api-key, a SigV4 signature the fake Bedrock verifies
 * over the Host and path Envoy sent), and never the caller's key.
 */
import { randomBytes } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { AiGateways } from "../../src/ai/gateways.ts";
import { type AiProcessor, startAiProcessor } from "../../src/ai/processor-server.ts";
import type { UsageRecord } from "../../src/ai/usage.ts";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { silentLogger } from "../../src/server/log.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { type RunningEnvoy, startEnvoy } from "../support/envoy.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-providers/anthropic.ts";
import { type FakeAzureOpenAi, startFakeAzureOpenAi } from "../support/fake-providers/azure-openai.ts";
import { type FakeBedrock, startFakeBedrock } from "../support/fake-providers/bedrock.ts";
import { type FakeGemini, startFakeGemini } from "../support/fake-providers/gemini.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../support/fake-providers/openai.ts";
import { freePorts } from "../support/ports.ts";

const secret = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;
const KEYS = { app: secret("gw-app-"), openai: secret("sk-proj-"), anthropic: secret("sk-ant-api03-"), gemini: secret("AIza"), azure: secret("az-"), awsId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`, awsSecret: secret("aws/") };
const BEDROCK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

let gemini: FakeGemini;
let azure: FakeAzureOpenAi;
let bedrock: FakeBedrock;
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let processor: AiProcessor;
let envoy: RunningEnvoy;
let baseUrl: string;
const usage: UsageRecord[] = [];

function config(ports: { listener: number; processor: number }): GatewayConfig {
  const plaintext = { reason: "fake provider on the loopback interface" };
  return {
    gateway: { name: "ai-adapters", listeners: [{ name: "web", address: "127.0.0.1", port: ports.listener, hostnames: ["*"] }] },
    identities: { apps: { type: "apiKey", from: { header: "authorization" }, consumers: [{ name: "alice", keys: { env: "APP_KEYS" } }] } },
    providers: {
      gem: { type: "gemini", baseUrl: gemini.origin, apiKey: { env: "GEMINI_KEY" }, plaintext },
      az: { type: "azure-openai", baseUrl: azure.origin, apiKey: { env: "AZURE_KEY" }, apiVersion: "2024-10-21", deployments: { "gpt-4o-mini": "prod-mini" }, plaintext },
      oai: { type: "openai", baseUrl: `${openai.origin}/v1`, apiKey: { env: "OPENAI_KEY" }, plaintext },
      claude: { type: "anthropic", baseUrl: anthropic.origin, apiKey: { env: "ANTHROPIC_KEY" }, plaintext },
      br: { type: "bedrock", baseUrl: bedrock.origin, region: "us-east-1", awsCredentials: { accessKeyId: { env: "AWS_ID" }, secretAccessKey: { env: "AWS_SECRET" } }, plaintext },
    },
    ai: {
      access: { allow: [{ identity: "apps" }] },
      processor: { address: `127.0.0.1:${ports.processor}` },
      models: {
        flash: { targets: [{ provider: "gem", model: "gemini-2.5-flash" }] },
        mini: { targets: [{ provider: "az", model: "gpt-4o-mini" }] },
        haiku: { targets: [{ provider: "br", model: BEDROCK_MODEL }], maxTokens: 200 },
        "gemini-embed": { targets: [{ provider: "gem", model: "gemini-embedding-001" }] },
        "openai-embed": { targets: [{ provider: "oai", model: "text-embedding-3-small" }] },
        sonnet: { targets: [{ provider: "claude", model: "claude-sonnet-4-5" }], maxTokens: 500 },
      },
    },
  };
}

beforeAll(async () => {
  gemini = await startFakeGemini({ apiKey: KEYS.gemini, models: ["gemini-2.5-flash", "gemini-embedding-001"] });
  openai = await startFakeOpenAi({ apiKey: KEYS.openai, models: ["text-embedding-3-small"] });
  anthropic = await startFakeAnthropic({ apiKey: KEYS.anthropic });
  azure = await startFakeAzureOpenAi({ apiKey: KEYS.azure, deployments: { "prod-mini": "gpt-4o-mini" } });
  bedrock = await startFakeBedrock({ accessKeyId: KEYS.awsId, secretAccessKey: KEYS.awsSecret, region: "us-east-1" });
  const [listener, processorPort] = await freePorts(2);
  const gateways = new AiGateways();
  processor = await startAiProcessor({ address: { kind: "tcp", host: "127.0.0.1", port: processorPort! }, gateways, deps: { usage: { record: (entry) => void usage.push(entry) }, price: () => 0 }, log: silentLogger });
  const env = { APP_KEYS: KEYS.app, OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini, AZURE_KEY: KEYS.azure, AWS_ID: KEYS.awsId, AWS_SECRET: KEYS.awsSecret };
  const { snapshot, ir, diagnostics } = compileGateway(config({ listener: listener!, processor: processorPort! }), undefined, { env });
  if (!snapshot || !ir) throw new Error(`the config does not compile: ${JSON.stringify(diagnostics)}`);
  gateways.apply(ir);
  envoy = await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot)) as Record<string, unknown> });
  baseUrl = `http://127.0.0.1:${listener}/ai/v1`;
}, 30_000);

afterAll(async () => {
  await envoy?.stop();
  await processor?.close();
  await Promise.all([gemini?.close(), azure?.close(), bedrock?.close(), openai?.close(), anthropic?.close()]);
});

const client = () => new OpenAI({ apiKey: KEYS.app, baseURL: baseUrl, maxRetries: 0 });
const ask = (content: string) => [{ role: "system" as const, content: "be brief" }, { role: "user" as const, content }];
const TOOLS = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Nothing of the caller's key or the gateway's internals reached the provider. */
function expectClean(headers: Record<string, unknown>): void {
  expect(JSON.stringify(headers)).not.toContain(KEYS.app);
  expect(Object.keys(headers).filter((name) => name.startsWith("x-portcullis"))).toEqual([]);
}

describe.each([
  { alias: "flash", name: "Gemini", requests: () => gemini.requests, path: "/v1beta/models/gemini-2.5-flash:generateContent", streamPath: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" },
  { alias: "mini", name: "Azure OpenAI", requests: () => azure.requests, path: "/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21", streamPath: "/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21" },
  { alias: "haiku", name: "Bedrock", requests: () => bedrock.requests, path: "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", streamPath: "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream" },
])("the OpenAI API in front of $name", ({ alias, requests, path, streamPath }) => {
  it("answers a chat completion from a native request carrying the injected credential", async () => {
    requests().length = 0;
    const completion = await client().chat.completions.create({ model: alias, messages: ask("hello gateway"), temperature: 0.2 });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]).toMatchObject({ message: { role: "assistant", content: "Echo: hello gateway" }, finish_reason: "stop" });
    expect(completion.usage?.completion_tokens).toBe(3);
    const seen = requests()[0]!;
    expect(seen.path).toBe(path);
    expectClean(seen.headers);
  });

  it("streams chunk by chunk, with the usage chunk when asked", async () => {
    requests().length = 0;
    const chunks = await collect(await client().chat.completions.create({ model: alias, messages: ask("one two three"), stream: true, stream_options: { include_usage: true } }));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two three");
    expect(chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason).map((c) => c.finish_reason)).toEqual(["stop"]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(4);
    expect(requests()[0]!.path).toBe(streamPath);
    expectClean(requests()[0]!.headers);
  });

  it("serves the Responses API from the same native requests, whole and streamed", async () => {
    requests().length = 0;
    const response = await client().responses.create({ model: alias, instructions: "be brief", input: "hello responses" });
    expect(response).toMatchObject({ object: "response", status: "completed", model: alias, output_text: "Echo: hello responses", usage: { output_tokens: 3 } });
    const events = await collect(await client().responses.create({ model: alias, input: "one two three", stream: true }));
    expect(events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("")).toBe("Echo: one two three");
    expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { status: "completed", usage: { output_tokens: 4 } } });
    expect(requests().map((seen) => seen.path)).toEqual([path, streamPath]);
    for (const seen of requests()) expectClean(seen.headers);
    // Records are made once each answer has ended, which a client may not wait for: the earlier tests' may come late too.
    const recorded = () => usage.filter((record) => record.endpoint === "responses" && record.alias === alias).map((record) => [record.stream, record.outputTokens]);
    await vi.waitFor(() => expect(recorded()).toEqual([[false, 3], [true, 4]]));
  });

  it("maps tool calls, plain and streamed", async () => {
    const completion = await client().chat.completions.create({ model: alias, messages: ask("weather in Paris?"), tools: TOOLS });
    expect(completion.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] } });
    const final = await client().chat.completions.stream({ model: alias, messages: ask("weather in Paris?"), tools: TOOLS }).finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    const answered = await client().chat.completions.create({
      model: alias,
      messages: [...ask("weather in Paris?"), { role: "assistant", content: null, tool_calls: [{ id: call!.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] }, { role: "tool", tool_call_id: call!.id, content: "sunny" }],
      tools: TOOLS,
    });
    expect(answered.choices[0]?.message.content).toBe("Echo: weather in Paris?");
  });
});

describe("credentials and errors", () => {
  it("injects each provider's own credential", () => {
    expect(gemini.requests.at(-1)!.headers["x-goog-api-key"]).toBe(KEYS.gemini);
    expect(azure.requests.at(-1)!.headers["api-key"]).toBe(KEYS.azure);
    // The fake Bedrock answered only because the signature matched the Host, path and body Envoy sent.
    expect(String(bedrock.requests.at(-1)!.headers.authorization)).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEYS.awsId}/\\d{8}/us-east-1/bedrock/aws4_request`));
    expect(bedrock.requests.at(-1)!.headers.host).toBe(`127.0.0.1:${bedrock.port}`);
  });

  it("turns provider errors into OpenAI errors with the provider's status", async () => {
    gemini.failNext(429, { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } });
    const geminiError = await client().chat.completions.create({ model: "flash", messages: ask("x") }).catch((error: unknown) => error);
    expect(geminiError).toBeInstanceOf(OpenAI.RateLimitError);
    expect((geminiError as InstanceType<typeof OpenAI.RateLimitError>).error).toMatchObject({ message: "Resource has been exhausted (e.g. check quota).", type: "rate_limit_error", code: "RESOURCE_EXHAUSTED" });
    bedrock.failNext(429, "ThrottlingException", "Too many requests, please wait before trying again.");
    await expect(client().chat.completions.create({ model: "haiku", messages: ask("x") })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    azure.failNext(500, { error: { code: "InternalServerError", message: "The server had an error." } });
    await expect(client().chat.completions.create({ model: "mini", messages: ask("x") })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it("records usage per request with the provider and model", () => {
    expect(usage.filter((r) => r.status === 200).map((r) => r.provider)).toEqual(expect.arrayContaining(["gem", "az", "br"]));
    expect(usage.find((r) => r.provider === "br" && r.stream)).toMatchObject({ model: BEDROCK_MODEL, outputTokens: 4, usageReported: true });
  });
});

describe("the OpenAI embeddings API", () => {
  it.each([
    { alias: "openai-embed", requests: () => openai.requests, path: "/v1/embeddings", credential: () => ["authorization", `Bearer ${KEYS.openai}`] },
    { alias: "mini", requests: () => azure.requests, path: "/openai/deployments/prod-mini/embeddings?api-version=2024-10-21", credential: () => ["api-key", KEYS.azure] },
    { alias: "gemini-embed", requests: () => gemini.requests, path: "/v1beta/models/gemini-embedding-001:batchEmbedContents", credential: () => ["x-goog-api-key", KEYS.gemini] },
  ])("embeds through $alias, as the client's default base64 and as floats", async ({ alias, requests, path, credential }) => {
    requests().length = 0;
    const answer = await client().embeddings.create({ model: alias, input: ["one", "two"] });
    expect(answer.object).toBe("list");
    expect(answer.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 8], [1, 8]]);
    const floats = await client().embeddings.create({ model: alias, input: "one", encoding_format: "float" });
    expect(floats.data[0]!.embedding.map((v) => Math.fround(v))).toEqual(answer.data[0]!.embedding);
    const seen = requests()[0]!;
    expect(seen.path).toBe(path);
    const [header, value] = credential();
    expect(seen.headers[header!]).toBe(value);
    expectClean(seen.headers);
  });

  it("sends Gemini one embedding request per input, and refuses aliases whose provider cannot embed before any upstream call", async () => {
    expect(gemini.requests.at(-1)!.json).toEqual({ requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "one" }] } }] });
    bedrock.requests.length = 0;
    const refused = await client().embeddings.create({ model: "haiku", input: "x" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ param: "model", code: "model_not_supported" });
    expect(bedrock.requests).toEqual([]);
  });

  it("records embeddings usage: the provider's counts, or an estimate where Gemini reports none", () => {
    expect(usage.filter((r) => r.provider === "oai").at(-1)).toMatchObject({ endpoint: "embeddings", alias: "openai-embed", inputTokens: 1, outputTokens: 0, usageReported: true });
    expect(usage.filter((r) => r.provider === "gem" && r.alias === "gemini-embed").at(-1)).toMatchObject({ status: 200, usageReported: false });
  });
});

describe("the Anthropic Messages API passthrough, with the official @anthropic-ai/sdk client", () => {
  const claude = () => new Anthropic({ apiKey: KEYS.app, baseURL: `${baseUrl}/anthropic`, maxRetries: 0 });

  it("answers a message from the alias's Anthropic provider, with the gateway's key and the client's API version", async () => {
    anthropic.requests.length = 0;
    const message = await claude().messages.create({ model: "sonnet", max_tokens: 100, system: "be brief", messages: [{ role: "user", content: "hello claude" }] });
    expect(message).toMatchObject({ type: "message", model: "claude-sonnet-4-5", content: [{ type: "text", text: "Echo: hello claude" }], stop_reason: "end_turn", usage: { output_tokens: 3 } });
    const seen = anthropic.requests[0]!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe(KEYS.anthropic);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["anthropic-version"]).toBe("2026-10-21");
    expect(seen.json).toMatchObject({ model: "claude-sonnet-4-5", max_tokens: 100, system: "be brief" });
    expectClean(seen.headers);
  });

  it("streams the native events the client assembles, and records the usage", async () => {
    usage.length = 0;
    const stream = claude().messages.stream({ model: "sonnet", max_tokens: 100, messages: [{ role: "user", content: "one two" }] });
    const texts: string[] = [];
    stream.on("text", (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts.join("")).toBe("Echo: one two");
    expect(final.usage.output_tokens).toBe(3);
    // The client has the whole message at message_stop; the record is made once the stream has ended.
    await vi.waitFor(() => expect(usage).toEqual([expect.objectContaining({ endpoint: "messages", alias: "sonnet", provider: "claude", stream: true, status: 200, outputTokens: 3, cachedInputTokens: 2, usageReported: true })]));
  });

  it("refuses aliases of other providers and max_tokens above the alias's cap before any upstream call", async () => {
    anthropic.requests.length = 0;
    await expect(claude().messages.create({ model: "flash", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(claude().messages.create({ model: "sonnet", max_tokens: 501, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(claude().messages.create({ model: "nope", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    expect(anthropic.requests).toEqual([]);
  });
});
