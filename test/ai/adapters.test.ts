/**
 * The one suite every provider adapter runs: the same OpenAI-level scenarios (a request, a whole
 * answer, a streamed answer with and without the usage chunk, a tool call, an error) expressed in
 * each provider's native wire format, and the same expectations of what the client gets back.
 * A new adapter adds one entry to CASES.
 */
import { describe, expect, it } from "vitest";
import type { AiProviderIR } from "../../src/model/ir.ts";
import { SecretValue } from "../../src/model/secret-value.ts";
import type { NativeRequest, ProviderAdapter, Usage } from "../../src/ai/providers/adapter.ts";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { anthropicAdapter } from "../../src/ai/providers/anthropic.ts";
import { azureOpenAiAdapter } from "../../src/ai/providers/azure-openai.ts";
import { bedrockAdapter } from "../../src/ai/providers/bedrock.ts";
import { geminiAdapter } from "../../src/ai/providers/gemini.ts";
import { openAiAdapter } from "../../src/ai/providers/openai.ts";
import { SseParser } from "../../src/ai/sse.ts";

interface NativeUsage {
  readonly input: number;
  readonly output: number;
  readonly cached: number;
}

interface AdapterCase {
  readonly name: string;
  readonly adapter: ProviderAdapter;
  readonly provider: AiProviderIR;
  /** The native request's headers: the credential (or the signature) and any version header. */
  readonly credential: (key: string) => Record<string, unknown>;
  /** Signed with the provider's AWS credentials rather than sent a key. */
  readonly signed?: boolean;
  /** The client's token cap field, and where the native request carries the model and the cap. */
  readonly maxTokensField: string;
  readonly nativeMaxTokens: (body: Record<string, unknown>) => unknown;
  readonly nativeModel: (native: NativeRequest, body: Record<string, unknown>) => unknown;
  readonly answer: (text: string, usage: NativeUsage) => unknown;
  readonly toolAnswer: (name: string, args: string) => unknown;
  /** The native event stream (as one string, or bytes) of an answer, with the usage the provider reports. */
  readonly stream: (words: readonly string[], usage: NativeUsage) => string | Uint8Array;
  readonly error: (status: number, message: string) => unknown;
}

const secret = (text: string) => new SecretValue("env:K", new TextEncoder().encode(text));
const provider = (type: AiProviderIR["type"], api: AiProviderIR["api"], extra: Partial<AiProviderIR> = {}): AiProviderIR => ({ name: `${type}-test`, type, api, cluster: `${type}-test`, apiKey: secret("k"), ...extra });
const AWS = { region: "us-east-1", host: "bedrock-runtime.us-east-1.amazonaws.com", pathPrefix: "", accessKeyId: secret("AKIDEXAMPLE"), secretAccessKey: secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY") };
const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** One AWS event-stream frame, as ConverseStream sends it. */
const frame = (type: string, payload: unknown) =>
  codec.encode({ headers: { ":event-type": { type: "string", value: type }, ":content-type": { type: "string", value: "application/json" }, ":message-type": { type: "string", value: "event" } }, body: new TextEncoder().encode(JSON.stringify(payload)) });
const concat = (frames: Uint8Array[]) => new Uint8Array(Buffer.concat(frames));
const geminiUsage = (u: NativeUsage) => ({ promptTokenCount: u.input, candidatesTokenCount: u.output, totalTokenCount: u.input + u.output, cachedContentTokenCount: u.cached });
const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

const CASES: readonly AdapterCase[] = [
  {
    name: "OpenAI",
    adapter: openAiAdapter,
    provider: provider("openai", "openai"),
    credential: (key) => ({ authorization: `Bearer ${key}` }),
    maxTokensField: "max_completion_tokens",
    nativeMaxTokens: (body) => body["max_completion_tokens"],
    nativeModel: (_native, body) => body["model"],
    answer: (text, u) => ({
      id: "chatcmpl-1", object: "chat.completion", created: 1, model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached } },
    }),
    toolAnswer: (name, args) => ({
      id: "chatcmpl-2", object: "chat.completion", created: 1, model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name, arguments: args } }] }, logprobs: null, finish_reason: "tool_calls" }],
    }),
    stream: (words, u) => {
      const base = { id: "chatcmpl-3", object: "chat.completion.chunk", created: 1, model: "m" };
      const chunk = (delta: unknown, finish: string | null = null) => sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
      return [
        chunk({ role: "assistant", content: "" }),
        ...words.map((w) => chunk({ content: w })),
        chunk({}, "stop"),
        sse({ ...base, choices: [], usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached } } }),
        sse("[DONE]"),
      ].join("");
    },
    error: (_status, message) => ({ error: { message, type: "rate_limit_error", param: null, code: "rate_limit_exceeded" } }),
  },
  {
    name: "Anthropic Messages",
    adapter: anthropicAdapter,
    provider: provider("anthropic", "anthropic"),
    credential: (key) => ({ "x-api-key": key, "anthropic-version": "2023-06-01" }),
    maxTokensField: "max_tokens",
    nativeMaxTokens: (body) => body["max_tokens"],
    nativeModel: (_native, body) => body["model"],
    answer: (text, u) => ({
      id: "msg_1", type: "message", role: "assistant", model: "m", content: [{ type: "text", text }], stop_reason: "end_turn", stop_sequence: null,
      usage: { input_tokens: u.input - u.cached, cache_read_input_tokens: u.cached, cache_creation_input_tokens: 0, output_tokens: u.output },
    }),
    toolAnswer: (name, args) => ({
      id: "msg_2", type: "message", role: "assistant", model: "m", content: [{ type: "tool_use", id: "call_1", name, input: JSON.parse(args) }], stop_reason: "tool_use",
      usage: { input_tokens: 1, output_tokens: 1 },
    }),
    stream: (words, u) =>
      [
        sse({ type: "message_start", message: { id: "msg_3", type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: u.input - u.cached, cache_read_input_tokens: u.cached, cache_creation_input_tokens: 0, output_tokens: 1 } } }, "message_start"),
        sse({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start"),
        sse({ type: "ping" }, "ping"),
        ...words.map((w) => sse({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: w } }, "content_block_delta")),
        sse({ type: "content_block_stop", index: 0 }, "content_block_stop"),
        sse({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: u.output } }, "message_delta"),
        sse({ type: "message_stop" }, "message_stop"),
      ].join(""),
    error: (_status, message) => ({ type: "error", error: { type: "rate_limit_error", message } }),
  },
  {
    name: "Gemini generateContent",
    adapter: geminiAdapter,
    provider: provider("gemini", "gemini"),
    credential: (key) => ({ "x-goog-api-key": key }),
    maxTokensField: "max_tokens",
    nativeMaxTokens: (body) => (body["generationConfig"] as Record<string, unknown> | undefined)?.["maxOutputTokens"],
    nativeModel: (native) => /^\/v1beta\/models\/([^:]+):generateContent$/.exec(native.path ?? "")?.[1],
    answer: (text, u) => ({ candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }], usageMetadata: geminiUsage(u), modelVersion: "m", responseId: "r1" }),
    toolAnswer: (name, args) => ({ candidates: [{ content: { parts: [{ functionCall: { id: "call_1", name, args: JSON.parse(args) } }], role: "model" }, finishReason: "STOP", index: 0 }], modelVersion: "m", responseId: "r2" }),
    stream: (words, u) =>
      words
        .map((w, i) => ({ candidates: [{ content: { parts: [{ text: w }], role: "model" }, index: 0, ...(i === words.length - 1 ? { finishReason: "STOP" } : {}) }], usageMetadata: geminiUsage({ ...u, output: i + 1 === words.length ? u.output : i + 1 }), modelVersion: "m", responseId: "r3" }))
        .map((event) => `data: ${JSON.stringify(event)}\r\n\r\n`)
        .join(""),
    error: (status, message) => ({ error: { code: status, message, status: "RESOURCE_EXHAUSTED" } }),
  },
  {
    name: "Azure OpenAI",
    adapter: azureOpenAiAdapter,
    provider: provider("azure-openai", "azure-openai", { azure: { apiVersion: "2024-10-21", deployments: {} } }),
    credential: (key) => ({ "api-key": key }),
    maxTokensField: "max_tokens",
    nativeMaxTokens: (body) => body["max_tokens"],
    nativeModel: (native) => /^\/openai\/deployments\/([^/]+)\/chat\/completions\?api-version=2024-10-21$/.exec(native.path ?? "")?.[1],
    answer: (text, u) => CASES[0]!.answer(text, u),
    toolAnswer: (name, args) => CASES[0]!.toolAnswer(name, args),
    stream: (words, u) => CASES[0]!.stream(words, u),
    error: (status, message) => CASES[0]!.error(status, message),
  },
  {
    name: "Bedrock Converse",
    adapter: bedrockAdapter,
    provider: provider("bedrock", "bedrock", { aws: AWS }),
    signed: true,
    credential: () => ({ authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/), "x-amz-date": expect.stringMatching(/^\d{8}T\d{6}Z$/), "content-type": "application/json", "content-length": expect.stringMatching(/^\d+$/) }),
    maxTokensField: "max_tokens",
    nativeMaxTokens: (body) => (body["inferenceConfig"] as Record<string, unknown> | undefined)?.["maxTokens"],
    nativeModel: (native) => /^\/model\/([^/]+)\/converse$/.exec(native.path ?? "")?.[1],
    answer: (text, u) => ({ output: { message: { role: "assistant", content: [{ text }] } }, stopReason: "end_turn", usage: { inputTokens: u.input - u.cached, outputTokens: u.output, totalTokens: u.input + u.output, cacheReadInputTokens: u.cached, cacheWriteInputTokens: 0 }, metrics: { latencyMs: 5 } }),
    toolAnswer: (name, args) => ({ output: { message: { role: "assistant", content: [{ toolUse: { toolUseId: "call_1", name, input: JSON.parse(args) } }] } }, stopReason: "tool_use", usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }),
    stream: (words, u) =>
      concat([
        frame("messageStart", { role: "assistant", p: "abc" }),
        ...words.map((w) => frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: w }, p: "abcdef" })),
        frame("contentBlockStop", { contentBlockIndex: 0 }),
        frame("messageStop", { stopReason: "end_turn" }),
        frame("metadata", { usage: { inputTokens: u.input - u.cached, outputTokens: u.output, totalTokens: u.input + u.output, cacheReadInputTokens: u.cached }, metrics: { latencyMs: 9 } }),
      ]),
    error: (_status, message) => ({ message }),
  },
];

const USAGE: NativeUsage = { input: 12, output: 3, cached: 4 };
const EXPECTED_USAGE: Usage = { inputTokens: 12, outputTokens: 3, cachedInputTokens: 4, cacheWriteInputTokens: 0 };
const chat = { model: "alias", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }] };

/** Runs a native stream through the adapter in chunks of `size` bytes, as Envoy may split it anywhere. */
function translateStream(adapter: ProviderAdapter, native: string | Uint8Array, clientWantsUsage: boolean, size: number) {
  const translator = adapter.stream({ clientWantsUsage });
  const parser = adapter.streamFormat?.decoder() ?? new SseParser();
  const bytes = typeof native === "string" ? new TextEncoder().encode(native) : native;
  let out = "";
  for (let at = 0; at < bytes.length; at += size) {
    const end = at + size >= bytes.length;
    out += parser.push(bytes.subarray(at, at + size), end).map((event) => translator.event(event)).join("");
  }
  out += translator.end();
  const data = new SseParser().push(new TextEncoder().encode(out), true).map((event) => event.data);
  return { data, chunks: data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d)), usage: translator.usage() };
}

describe.each(CASES)("the $name adapter", (c) => {
  it("sends the provider's model, the gateway's key and the alias's token cap when the client names none", () => {
    const native = c.adapter.request(chat, { model: "provider-model", maxTokens: 77 }, "secret-key", c.provider);
    if ("status" in native) throw new Error(native.message);
    expect(native.headers).toEqual(c.credential("secret-key"));
    const body = JSON.parse(native.body);
    expect(c.nativeModel(native, body)).toBe("provider-model");
    expect(c.nativeMaxTokens(body)).toBe(77);
    const own = c.adapter.request({ ...chat, [c.maxTokensField]: 5 }, { model: "provider-model", maxTokens: 77 }, undefined, c.provider);
    if ("status" in own) throw new Error(own.message);
    expect(c.nativeMaxTokens(JSON.parse(own.body))).toBe(5);
    if (!c.signed) expect(Object.keys(own.headers).some((name) => /authorization|x-api-key|api-key|x-goog-api-key/.test(name))).toBe(false);
  });

  it("turns a whole answer into a chat.completion with its usage", () => {
    const { body, usage } = c.adapter.body(200, c.answer("Hello there", USAGE));
    expect(body).toMatchObject({ object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Hello there" }, finish_reason: "stop" }] });
    expect(usage).toEqual(EXPECTED_USAGE);
  });

  it("turns a tool call into OpenAI's tool_calls", () => {
    const { body } = c.adapter.body(200, c.toolAnswer("get_weather", '{"city":"Paris"}'));
    expect(body).toMatchObject({ choices: [{ message: { tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] }, finish_reason: "tool_calls" }] });
  });

  it.each([1, 7, 1000])("streams chunks whatever the provider's chunking (%i bytes), ending with [DONE]", (size) => {
    const { data, chunks, usage } = translateStream(c.adapter, c.stream(["Hel", "lo", " there"], USAGE), false, size);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.choices.length === 1)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join("")).toBe("Hello there");
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
    expect(data.at(-1)).toBe("[DONE]");
    expect(usage).toEqual(EXPECTED_USAGE);
  });

  it("sends the usage chunk when the client asked for it", () => {
    const { chunks } = translateStream(c.adapter, c.stream(["a"], USAGE), true, 64);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } } });
  });

  it("turns a provider error into OpenAI's error shape", () => {
    const { body, usage } = c.adapter.body(429, c.error(429, "Slow down"));
    expect(body).toMatchObject({ error: { message: "Slow down", type: "rate_limit_error" } });
    expect(usage).toBeUndefined();
  });
});

describe("Anthropic request translation", () => {
  const translate = (request: Record<string, unknown>) => {
    const native = anthropicAdapter.request({ ...chat, ...request } as never, { model: "m" }, "k", CASES[1]!.provider);
    return "status" in native ? native : JSON.parse(native.body);
  };

  it("maps system prompts, images, stop sequences, tools, tool results and the user", () => {
    const body = translate({
      messages: [
        { role: "developer", content: "rule one" },
        { role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] },
        { role: "tool", tool_call_id: "t1", content: "one" },
      ],
      stop: "END",
      tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      user: "u-1",
    });
    expect(body).toEqual({
      model: "m",
      system: "rule one",
      max_tokens: 4096,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
      tools: [{ name: "f", description: "d", input_schema: { type: "object" } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [
        { role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: { a: 1 } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "one" }] },
      ],
    });
  });

  it("refuses what Anthropic cannot express, naming the parameter", () => {
    expect(translate({ n: 2 })).toMatchObject({ status: 400, param: "n" });
    expect(translate({ response_format: { type: "json_object" } })).toMatchObject({ status: 400, param: "response_format" });
    expect(translate({ messages: [{ role: "function", content: "x" }] })).toMatchObject({ status: 400, param: "messages[0].role" });
    expect(translate({ n: 1, response_format: { type: "text" } })).not.toHaveProperty("status");
  });
});
