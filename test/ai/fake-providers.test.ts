/**
 * The fake providers are only worth testing against if they speak the real wire formats: here
 * each is driven by its vendor's official client, which parses their answers, streams and errors.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-providers/anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../support/fake-providers/openai.ts";

let openai: FakeOpenAi;
let anthropic: FakeAnthropic;

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: "sk-fake-openai" });
  anthropic = await startFakeAnthropic({ apiKey: "sk-ant-fake" });
});

afterAll(async () => {
  await openai?.close();
  await anthropic?.close();
});

describe("the fake OpenAI, through the official openai client", () => {
  const client = () => new OpenAI({ apiKey: "sk-fake-openai", baseURL: `${openai.origin}/v1`, maxRetries: 0 });

  it("answers a chat completion with usage", async () => {
    const completion = await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }] });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it("streams chunks, and the usage chunk only when asked for", async () => {
    const stream = await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "one two" }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two");
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(3);
    const plain = await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }], stream: true });
    const seen = [];
    for await (const chunk of plain) seen.push(chunk);
    expect(seen.every((c) => c.choices.length === 1)).toBe(true);
  });

  it("calls tools, plain and streamed", async () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const completion = await client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "weather?" }], tools });
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    const runner = client().chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: "weather?" }], tools });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe('{"city":"Paris"}');
  });

  it("embeds texts, as base64 (the client's default) or floats", async () => {
    const answer = await client().embeddings.create({ model: "gpt-4o-mini", input: ["one", "two"] });
    expect(answer.data.map((d) => d.embedding.length)).toEqual([8, 8]);
    const floats = await client().embeddings.create({ model: "gpt-4o-mini", input: "one", encoding_format: "float" });
    expect(floats.data[0]?.embedding.map((v) => Math.fround(v))).toEqual(answer.data[0]?.embedding);
    expect(floats.usage.prompt_tokens).toBe(1);
  });

  it("lists models, and raises the client's typed errors", async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(["gpt-4o-mini", "gpt-4o"]);
    await expect(client().chat.completions.create({ model: "gpt-5-nope", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const wrongKey = new OpenAI({ apiKey: "sk-wrong", baseURL: `${openai.origin}/v1`, maxRetries: 0 });
    await expect(wrongKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    openai.failNext(429, { error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" } });
    await expect(client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe("the fake Anthropic, through the official @anthropic-ai/sdk client", () => {
  const client = () => new Anthropic({ apiKey: "sk-ant-fake", baseURL: anthropic.origin, maxRetries: 0 });

  it("answers a message with usage, cut at stop sequences and max_tokens", async () => {
    const message = await client().messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, system: "be brief", messages: [{ role: "user", content: "hello there" }] });
    expect(message.content).toEqual([{ type: "text", text: "Echo: hello there" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBe(3);
    const stopped = await client().messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, stop_sequences: ["there"], messages: [{ role: "user", content: "hello there" }] });
    expect(stopped).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "there" });
    const cut = await client().messages.create({ model: "claude-sonnet-4-5", max_tokens: 1, messages: [{ role: "user", content: "hello there" }] });
    expect(cut.stop_reason).toBe("max_tokens");
  });

  it("streams named events that the client assembles into the message", async () => {
    const stream = client().messages.stream({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "one two" }] });
    const texts: string[] = [];
    stream.on("text", (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts.join("")).toBe("Echo: one two");
    expect(final.usage.output_tokens).toBe(3);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
  });

  it("uses tools, plain and streamed", async () => {
    const tools = [{ name: "get_weather", input_schema: { type: "object" as const, properties: { city: { type: "string" } } } }];
    const message = await client().messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, tools, messages: [{ role: "user", content: "weather?" }] });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    const final = await client().messages.stream({ model: "claude-sonnet-4-5", max_tokens: 100, tools, messages: [{ role: "user", content: "weather?" }] }).finalMessage();
    expect(final.content[1]).toMatchObject({ type: "tool_use", input: { city: "Paris" } });
  });

  it("raises the client's typed errors", async () => {
    await expect(client().messages.create({ model: "claude-nope", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const wrongKey = new Anthropic({ apiKey: "wrong", baseURL: anthropic.origin, maxRetries: 0 });
    await expect(wrongKey.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    anthropic.failNext(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    await expect(client().messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
  });

  it("takes the key as the SDK sends it, and refuses sampling parameters under API version 2026-10-21", async () => {
    const last = anthropic.requests.at(-1)!;
    expect(last.headers["anthropic-version"]).toBe("2026-10-21");
    expect(last.headers.authorization).toBe("Bearer sk-ant-fake");
    await expect(client().messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }], temperature: 0.5 } as never)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const older = new Anthropic({ apiKey: "sk-ant-fake", baseURL: anthropic.origin, maxRetries: 0, defaultHeaders: { "anthropic-version": "2023-06-01" } });
    const message = await older.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }], temperature: 0.5 } as never);
    expect(message.type).toBe("message");
  });
});
