/**
 * The Responses API translation on its own: the request items, tools and text format as the chat
 * request carries them, and a chat completion as a Responses object.
 */
import { describe, expect, it } from "vitest";
import { ResponsesAnswer } from "../../src/ai/responses/answer.ts";
import { responsesRequest } from "../../src/ai/responses/request.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const chatOf = (request: ReturnType<typeof responsesRequest>) => ("chat" in request ? JSON.parse(new TextDecoder().decode(request.chat)) : request);

describe("Responses request → chat request", () => {
  it("carries instructions, messages, images, function calls and their outputs, tools and the text format", () => {
    const chat = chatOf(
      responsesRequest(
        encode({
          model: "fast",
          instructions: "Be brief.",
          input: [
            { role: "developer", content: "Answer in French." },
            { type: "message", role: "user", content: [{ type: "input_text", text: "What is this?" }, { type: "input_image", image_url: "https://img.test/a.png", detail: "low" }] },
            { type: "function_call", call_id: "c1", name: "look", arguments: "{}" },
            { type: "function_call", call_id: "c2", name: "zoom", arguments: "{\"x\":1}" },
            { type: "function_call_output", call_id: "c1", output: "a cat" },
          ],
          tools: [{ type: "function", name: "look", description: "Looks.", parameters: { type: "object" }, strict: true }],
          tool_choice: { type: "function", name: "look" },
          text: { format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true } },
          max_output_tokens: 20,
          temperature: 0.2,
        }),
      ),
    );
    expect(chat).toEqual({
      model: "fast",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "system", content: "Answer in French." },
        { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://img.test/a.png", detail: "low" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "look", arguments: "{}" } }, { id: "c2", type: "function", function: { name: "zoom", arguments: "{\"x\":1}" } }] },
        { role: "tool", tool_call_id: "c1", content: "a cat" },
      ],
      tools: [{ type: "function", function: { name: "look", description: "Looks.", parameters: { type: "object" }, strict: true } }],
      tool_choice: { type: "function", function: { name: "look" } },
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
      max_tokens: 20,
      temperature: 0.2,
    });
  });

  it("asks for usage in a stream and refuses what it cannot carry, naming the parameter", () => {
    expect(chatOf(responsesRequest(encode({ model: "fast", input: "hi", stream: true })))).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(responsesRequest(encode({ model: "fast", input: [{ type: "reasoning", summary: [] }] }))).toMatchObject({ status: 400, param: "input[0].type" });
    expect(responsesRequest(encode({ model: "fast", input: "hi", conversation: "c" }))).toMatchObject({ status: 400, param: "conversation", code: "unsupported_parameter" });
    expect(responsesRequest(encode({ model: "fast", input: "hi", text: { format: { type: "grammar" } } }))).toMatchObject({ status: 400, param: "text.format" });
  });
});

describe("chat completion → Responses object", () => {
  const echo = { instructions: null, metadata: { run: "1" }, tools: [], toolChoice: "auto", text: { format: { type: "text" } }, temperature: null, topP: null, maxOutputTokens: 5, parallelToolCalls: true };

  it("makes the output items and the usage, incomplete when the answer hit its token limit", () => {
    const answer = new ResponsesAnswer("fast", echo, false, 1_700_000_000_000);
    const completion = {
      choices: [{ finish_reason: "length", message: { role: "assistant", content: "Hel", tool_calls: [{ id: "c9", type: "function", function: { name: "f", arguments: "{}" } }] } }],
      usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12, prompt_tokens_details: { cached_tokens: 2 } },
    };
    expect(answer.push(encode(completion).slice(0, 10), false, 200)).toEqual(new Uint8Array());
    const response = JSON.parse(new TextDecoder().decode(answer.push(encode(completion).slice(10), true, 200)));
    expect(response).toMatchObject({
      object: "response",
      created_at: 1_700_000_000,
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      model: "fast",
      store: false,
      metadata: { run: "1" },
      output: [
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Hel" }] },
        { type: "function_call", call_id: "c9", name: "f", arguments: "{}" },
      ],
      usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 2 }, output_tokens: 5, total_tokens: 12 },
    });
  });

  it("passes an error answer on unchanged", () => {
    const error = { error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" } };
    const answer = new ResponsesAnswer("fast", echo, true, 0);
    expect(JSON.parse(new TextDecoder().decode(answer.push(encode(error), true, 529)))).toEqual(error);
  });
});
