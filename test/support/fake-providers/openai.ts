/**
 * A fake OpenAI API on 127.0.0.1, faithful to the wire format the official client reads: chat
 * completions (whole and streamed as server-sent events, with the usage chunk when
 * stream_options.include_usage asks for it, tool calls), embeddings (floats or base64), the model
 * list, and error bodies. It
 * answers deterministically (echoing the last user message) and records every request.
 * test/ai/fake-providers.test.ts drives it with the official `openai` client.
 */
import type { ServerResponse } from "node:http";
import { type FakeServer, lastUserText, openAiEmbeddings, type RecordedRequest, sendEvents, sendJson, startFakeServer, tokens } from "./server.ts";

export interface FakeOpenAi extends FakeServer {
  /** The next chat request gets this status and body instead of an answer. */
  failNext(status: number, body: unknown): void;
}

const error = (message: string, type: string, code: string | null, param: string | null = null) => ({ error: { message, type, param, code } });

const CREATED = 1_750_000_000;
const FINGERPRINT = "fp_fake0001";
const RESPONSE_HEADERS = { "openai-organization": "fake-org-123", "openai-processing-ms": "12", "x-ratelimit-remaining-requests": "9999" };

function usage(prompt: number, completion: number) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export interface Chat {
  model: string;
  messages: unknown[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { function: { name: string } }[];
  tool_choice?: unknown;
}

function promptTokens(chat: Chat): number {
  return chat.messages.reduce<number>((sum, message) => sum + tokens(JSON.stringify((message as { content?: unknown }).content ?? "")) + 3, 0);
}

/** A tool call when the caller offers tools and asks about the weather (and has not sent the result yet); text otherwise. */
function toolCallFor(chat: Chat) {
  const tool = chat.tools?.[0];
  const answered = (chat.messages.at(-1) as { role?: string } | undefined)?.role === "tool";
  if (!tool || answered || chat.tool_choice === "none" || !/weather/i.test(lastUserText(chat.messages))) return undefined;
  return { id: "call_fake_1", type: "function" as const, function: { name: tool.function.name, arguments: '{"city":"Paris"}' } };
}

export function completion(chat: Chat, id: string) {
  const call = toolCallFor(chat);
  const text = `Echo: ${lastUserText(chat.messages)}`;
  return {
    id,
    object: "chat.completion",
    created: CREATED,
    model: `${chat.model}-2024-07-18`,
    choices: [
      {
        index: 0,
        message: call ? { role: "assistant", content: null, tool_calls: [call], refusal: null, annotations: [] } : { role: "assistant", content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: call ? "tool_calls" : "stop",
      },
    ],
    usage: usage(promptTokens(chat), call ? 9 : tokens(text)),
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  };
}

export function streamEvents(chat: Chat, id: string): string[] {
  const withUsage = chat.stream_options?.include_usage === true;
  const base = { id, object: "chat.completion.chunk", created: CREATED, model: `${chat.model}-2024-07-18`, service_tier: "default", system_fingerprint: FINGERPRINT };
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  const call = toolCallFor(chat);
  const words = `Echo: ${lastUserText(chat.messages)}`.split(" ");
  const body = call
    ? [
        chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }], refusal: null }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        chunk({}, "tool_calls"),
      ]
    : [chunk({ role: "assistant", content: "", refusal: null }), ...words.map((word, i) => chunk({ content: i === 0 ? word : ` ${word}` })), chunk({}, "stop")];
  const final = withUsage ? [`data: ${JSON.stringify({ ...base, choices: [], usage: usage(promptTokens(chat), call ? 9 : words.length) })}\n\n`] : [];
  return [...body, ...final, "data: [DONE]\n\n"];
}

export async function startFakeOpenAi(options: { apiKey: string; models?: string[] }): Promise<FakeOpenAi> {
  const failures: { status: number; body: unknown }[] = [];
  const models = options.models ?? ["gpt-4o-mini", "gpt-4o"];
  let count = 0;

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      const missing = request.headers.authorization === undefined;
      return sendJson(res, 401, error(missing ? "You didn't provide an API key." : "Incorrect API key provided.", "invalid_request_error", missing ? null : "invalid_api_key"));
    }
    if (request.method === "GET" && request.path === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "system" })) });
    }
    if (request.method === "POST" && request.path === "/v1/embeddings") {
      const body = request.json as { model?: string; input?: unknown; encoding_format?: unknown } | undefined;
      if (!body?.model || !models.includes(body.model)) return sendJson(res, 404, error(`The model \`${body?.model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found"));
      return sendJson(res, 200, openAiEmbeddings(body.input, body.model, body.encoding_format), RESPONSE_HEADERS);
    }
    if (request.method !== "POST" || request.path !== "/v1/chat/completions") return sendJson(res, 404, error(`Invalid URL (${request.method} ${request.path})`, "invalid_request_error", null));
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body, RESPONSE_HEADERS);
    const chat = request.json as Chat | undefined;
    if (!chat || typeof chat.model !== "string") return sendJson(res, 400, error("You must provide a model parameter.", "invalid_request_error", null, "model"));
    if (!models.includes(chat.model)) return sendJson(res, 404, error(`The model \`${chat.model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found"));
    const id = `chatcmpl-fake${++count}`;
    if (chat.stream) return sendEvents(res, streamEvents(chat, id), RESPONSE_HEADERS);
    return sendJson(res, 200, completion(chat, id), RESPONSE_HEADERS);
  }

  const server = await startFakeServer(handle);
  return { ...server, failNext: (status, body) => void failures.push({ status, body }) };
}
