/**
 * The AI gateway through real Envoy and the AI processor: the official openai client calls the
 * gateway's OpenAI-compatible API; Envoy routes each model alias to its provider's cluster; the
 * fake providers assert native requests carrying the injected provider key and never the caller's.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AiGatewayUnderTest, startAiGateway } from "../support/ai-gateway.ts";

let gw: AiGatewayUnderTest;

beforeAll(async () => {
  gw = await startAiGateway();
}, 30_000);

afterAll(async () => {
  await gw?.stop();
});

const client = (key?: string) => gw.client(key);
const ask = (content: string) => [{ role: "user" as const, content }];

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe("OpenAI passthrough", () => {
  it("answers a chat completion, sending the provider its own model name and key", async () => {
    gw.openai.requests.length = 0;
    const completion = await client().chat.completions.create({ model: "fast", messages: ask("hello gateway") });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello gateway");
    expect(completion.usage).toMatchObject({ completion_tokens: 3 });
    const seen = gw.openai.requests[0]!;
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.headers.authorization).toBe(`Bearer ${gw.keys.openai}`);
    expect(seen.headers.host).toBe(`127.0.0.1:${gw.openai.port}`);
    expect(seen.json).toMatchObject({ model: "gpt-4o-mini", max_completion_tokens: 50 });
    // Nothing of the caller's credentials or the gateway's internals reaches the provider.
    const headers = JSON.stringify(seen.headers);
    expect(headers).not.toContain(gw.keys.alice);
    expect(Object.keys(seen.headers).filter((name) => name.startsWith("x-portcullis") || name === "accept-encoding")).toEqual([]);
  });

  it("streams chunk by chunk, asks the provider for usage and keeps the usage chunk from a client that did not ask", async () => {
    gw.openai.requests.length = 0;
    const stream = await client().chat.completions.create({ model: "fast", messages: ask("one two three"), stream: true });
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two three");
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(gw.openai.requests[0]!.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const withUsage = await client().chat.completions.create({ model: "fast", messages: ask("x y"), stream: true, stream_options: { include_usage: true } });
    const last = (await collect(withUsage)).at(-1);
    expect(last?.usage?.completion_tokens).toBe(3);
  });

  it("lists the model aliases the gateway serves", async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(["fast", "smart"]);
  });
});

describe("OpenAI API in front of Anthropic Messages", () => {
  it("translates the request and the answer", async () => {
    gw.anthropic.requests.length = 0;
    const completion = await client().chat.completions.create({
      model: "smart",
      messages: [{ role: "system", content: "be brief" }, ...ask("hello claude")],
      temperature: 0.2,
      stop: ["never"],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]).toMatchObject({ message: { role: "assistant", content: "Echo: hello claude" }, finish_reason: "stop" });
    expect(completion.usage?.completion_tokens).toBe(3);
    const seen = gw.anthropic.requests[0]!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe(gw.keys.anthropic);
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.json).toMatchObject({ model: "claude-sonnet-4-5", system: "be brief", max_tokens: 4096, temperature: 0.2, stop_sequences: ["never"], messages: [{ role: "user", content: "hello claude" }] });
  });

  it("translates the event stream into chunks, with the usage chunk when asked", async () => {
    const stream = await client().chat.completions.create({ model: "smart", messages: ask("stream me"), stream: true, stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: stream me");
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } });
  });

  it("maps tool calls both ways, plain and streamed", async () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const completion = await client().chat.completions.create({ model: "smart", messages: ask("weather in Paris?"), tools });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call).toMatchObject({ id: "toolu_fake_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    const final = await client().chat.completions.stream({ model: "smart", messages: ask("weather in Paris?"), tools }).finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]?.function).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
    gw.anthropic.requests.length = 0;
    await client().chat.completions.create({
      model: "smart",
      tools,
      messages: [...ask("weather in Paris?"), { role: "assistant", content: null, tool_calls: [call as never] }, { role: "tool", tool_call_id: "toolu_fake_1", content: "sunny" }],
    });
    expect((gw.anthropic.requests[0]!.json as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_fake_1", name: "get_weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_fake_1", content: "sunny" }] },
    ]);
  });

  it("turns provider errors into OpenAI errors with the provider's status", async () => {
    gw.anthropic.failNext(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const error = await client().chat.completions.create({ model: "smart", messages: ask("x") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 529, error: { message: "Overloaded", type: "server_error", code: "overloaded_error" } });
  });
});

describe("the gateway's own rules", () => {
  it("refuses unknown aliases and max_tokens above the alias's cap before any provider is called", async () => {
    const before = gw.openai.requests.length + gw.anthropic.requests.length;
    await expect(client().chat.completions.create({ model: "gpt-4o-mini", messages: ask("x") })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const error = await client().chat.completions.create({ model: "fast", messages: ask("x"), max_tokens: 51 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ param: "max_tokens" });
    expect(gw.openai.requests.length + gw.anthropic.requests.length).toBe(before);
  });

  it("applies the AI section's access rules: no key or a wrong key is 401", async () => {
    await expect(client("gw-wrong-key").models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const response = await fetch(`${gw.baseUrl}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "fast", messages: ask("x") }) });
    expect(response.status).toBe(401);
  });

  it("ignores a client's attempt to pick the provider route itself", async () => {
    gw.anthropic.requests.length = 0;
    const completion = await client().chat.completions.create({ model: "fast", messages: ask("mine") }, { headers: { "x-portcullis-ai-provider": "claude" } });
    expect(completion.model).toContain("gpt-4o-mini");
    expect(gw.anthropic.requests).toEqual([]);
  });

  it("takes request bodies far above the listener's 32 KiB connection buffer", async () => {
    const big = "word ".repeat(40_000);
    const completion = await client().chat.completions.create({ model: "smart", messages: ask(big) });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect((gw.anthropic.requests.at(-1)!.json as { messages: { content: string }[] }).messages[0]!.content).toBe(big);
  });

  it("records usage per request with the verified consumer and team", async () => {
    gw.usage.length = 0;
    await client().chat.completions.create({ model: "fast", messages: ask("count me") });
    await client(gw.keys.bob).chat.completions.create({ model: "smart", messages: ask("and me"), stream: true }).then(collect);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gw.usage).toEqual([
      expect.objectContaining({ gateway: "ai-e2e", identity: "apps", consumer: "alice", team: "red", endpoint: "chat", alias: "fast", provider: "oai", model: "gpt-4o-mini", stream: false, status: 200, outputTokens: 3, usageReported: true }),
      expect.objectContaining({ identity: "apps", consumer: "bob", alias: "smart", provider: "claude", model: "claude-sonnet-4-5", stream: true, status: 200, outputTokens: 3, cachedInputTokens: 2, usageReported: true }),
    ]);
    expect(gw.usage[1]!.team).toBeUndefined();
    expect(gw.usage[0]!.requestId).toMatch(/./);
  });

  it("never puts a provider key or a caller's key in Envoy's logs", () => {
    const output = gw.envoy.output();
    for (const key of Object.values(gw.keys)) expect(output).not.toContain(key);
  });
});
