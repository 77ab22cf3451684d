/**
 * The OpenAI Responses API through real Envoy and the AI processor, driven by the official openai
 * client (`client.responses.create`, whole and streamed): the request becomes a chat request for
 * the alias's provider (OpenAI passthrough and OpenAI→Anthropic translation), the answer comes
 * back in the Responses shape — text, function calls and their round trip, usage — the usage is
 * recorded like any chat request's, and what a stateless gateway cannot honour is refused.
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

const client = () => gw.client();
const weather = [{ type: "function" as const, name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false }];

describe.each([
  ["OpenAI passthrough", "fast"],
  ["OpenAI→Anthropic", "smart"],
])("the Responses API (%s)", (_kind, model) => {
  it("answers with output text and usage, and records the usage", async () => {
    const before = gw.usage.length;
    const response = await client().responses.create({ model, instructions: "Be brief.", input: "hello responses" });
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.model).toBe(model);
    expect(response.output_text).toBe("Echo: hello responses");
    expect(response.usage).toMatchObject({ output_tokens: 3 });
    expect(response.usage!.input_tokens).toBeGreaterThan(0);
    expect(gw.usage.slice(before).map((record) => [record.endpoint, record.alias, record.status, record.outputTokens])).toEqual([["responses", model, 200, 3]]);
  });

  it("streams the Responses events, text deltas in order and the usage in the last", async () => {
    const before = gw.usage.length;
    const stream = await client().responses.create({ model, input: "one two three", stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
    const text = events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("");
    expect(text).toBe("Echo: one two three");
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    // The provider's usage, as recorded for the request.
    const [record] = gw.usage.slice(before);
    expect(completed.response.usage).toMatchObject({ input_tokens: record!.inputTokens, output_tokens: record!.outputTokens });
    expect(record!.outputTokens).toBeGreaterThan(0);
    expect(completed.response.output).toMatchObject([{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Echo: one two three" }] }]);
  });

  it("calls a function, whole and streamed, and takes its output back", async () => {
    const response = await client().responses.create({ model, input: "weather in Paris?", tools: weather });
    const call = response.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    const stream = await client().responses.create({ model, input: "weather in Paris?", tools: weather, stream: true });
    let streamed = "";
    let done: OpenAI.Responses.ResponseCompletedEvent | undefined;
    for await (const event of stream) {
      if (event.type === "response.function_call_arguments.delta") streamed += event.delta;
      if (event.type === "response.completed") done = event;
    }
    expect(streamed).toBe('{"city":"Paris"}');
    expect(done?.response.output.find((item) => item.type === "function_call")).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" });
    const callId = (call as OpenAI.Responses.ResponseFunctionToolCall).call_id;
    const answer = await client().responses.create({
      model,
      tools: weather,
      input: [{ role: "user", content: "weather in Paris?" }, { type: "function_call", call_id: callId, name: "get_weather", arguments: '{"city":"Paris"}' }, { type: "function_call_output", call_id: callId, output: "sunny" }],
    });
    expect(answer.output.some((item) => item.type === "function_call")).toBe(false);
    expect(answer.output_text).not.toBe("");
  });
});

describe("what the gateway refuses", () => {
  it.each([
    ["previous_response_id", { previous_response_id: "resp_1" }],
    ["background", { background: true }],
    ["store", { store: true }],
    ["tools[0]", { tools: [{ type: "web_search" }] }],
    ["frobnicate", { frobnicate: 1 }],
  ])("refuses %s with a 400 naming it, before any provider", async (param, extra) => {
    const before = gw.openai.requests.length;
    const error = await client().responses.create({ model: "fast", input: "x", ...(extra as object) } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    expect(gw.openai.requests.length).toBe(before);
  });

  it("keeps the provider's errors in the shared OpenAI error shape", async () => {
    gw.anthropic.failNext(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const error = await client().responses.create({ model: "smart", input: "x" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 529, error: { message: "Overloaded" } });
  });
});
