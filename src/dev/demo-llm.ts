/**
 * The demo model `portcullis up` runs for an `openai-compatible` provider named in
 * `dev.demoBackends`: an OpenAI-compatible server in OpenAI's exact wire format (chat completions
 * whole or streamed as server-sent events, with the usage chunk when asked; the model list; OpenAI
 * error bodies), so an example gateway answers chat completions and prompt APIs with no provider
 * account. Its answers are deterministic: the last user message echoed, cut at `max_tokens` words,
 * or, when `response_format` asks for JSON of a schema, a value of that schema made from the message.
 */
import type { ServerResponse } from "node:http";
import { assistantMessage, chatCompletion, nowSeconds, openAiUsageObject } from "../ai/providers/openai-shapes.ts";
import { isObject } from "../ai/providers/usage-fields.ts";
import { formatSse } from "../ai/sse.ts";

/** The model names the demo answers to; any other is 404 model_not_found, as OpenAI answers. */
export const DEMO_MODELS = ["demo-chat", "demo-mini"] as const;

interface Chat {
  readonly model: string;
  readonly messages: readonly unknown[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly response_format?: { readonly type?: string; readonly json_schema?: { readonly schema?: unknown } };
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/** What the demo answers: a JSON body with its status, or the events of a stream. */
type Reply = { readonly status: number; readonly json: unknown } | { readonly events: readonly string[] };

const openAiError = (status: number, message: string, code: string | null, param: string | null = null): Reply => ({
  status,
  json: { error: { message, type: "invalid_request_error", param, code } },
});

function lastUserText(messages: readonly unknown[]): string {
  const last = [...messages].reverse().find((message) => isObject(message) && message["role"] === "user");
  const content = isObject(last) ? last["content"] : undefined;
  if (typeof content === "string") return content;
  return Array.isArray(content) ? content.filter((part) => isObject(part) && part["type"] === "text").map((part) => String(part.text)).join(" ") : "";
}

/** A value of the schema, made from the message's words: enough for a prompt API's output schema to hold. */
function exampleOf(schema: unknown, said: readonly string[]): unknown {
  if (!isObject(schema)) return said.join(" ");
  if (Array.isArray(schema["enum"]) && schema["enum"].length > 0) return schema["enum"][said.length % schema["enum"].length];
  if (schema["const"] !== undefined) return schema["const"];
  switch (schema["type"]) {
    case "object": {
      const properties = isObject(schema["properties"]) ? schema["properties"] : {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleOf(property, said)]));
    }
    case "array":
      return [exampleOf(schema["items"], said)];
    case "integer":
    case "number":
      return said.length;
    case "boolean":
      return said.length % 2 === 0;
    default:
      return said.slice(0, 12).join(" ");
  }
}

/** The answer's text and whether max_tokens cut it. */
function answer(chat: Chat): { readonly text: string; readonly cut: boolean } {
  const said = words(lastUserText(chat.messages));
  const format = chat.response_format;
  if (format?.type === "json_schema") return { text: JSON.stringify(exampleOf(format.json_schema?.schema, said)), cut: false };
  if (format?.type === "json_object") return { text: JSON.stringify({ echo: said.join(" ") }), cut: false };
  const all = ["Echo:", ...said];
  const limit = chat.max_completion_tokens ?? chat.max_tokens;
  return limit !== undefined && limit < all.length ? { text: all.slice(0, limit).join(" "), cut: true } : { text: all.join(" "), cut: false };
}

const promptTokens = (chat: Chat) => chat.messages.reduce<number>((sum, message) => sum + words(JSON.stringify(isObject(message) ? (message["content"] ?? "") : "")).length + 3, 0);

function streamed(chat: Chat, id: string, text: string, finish: string, usage: ReturnType<typeof openAiUsageObject>): Reply {
  const base = { id, object: "chat.completion.chunk", created: nowSeconds(), model: chat.model, system_fingerprint: null };
  const chunk = (delta: unknown, reason: string | null = null) => formatSse(JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: reason }] }));
  const usageChunk = chat.stream_options?.include_usage === true ? [formatSse(JSON.stringify({ ...base, choices: [], usage }))] : [];
  const deltas = words(text).map((word, index) => chunk({ content: index === 0 ? word : ` ${word}` }));
  return { events: [chunk({ role: "assistant", content: "", refusal: null }), ...deltas, chunk({}, finish), ...usageChunk, formatSse("[DONE]")] };
}

let count = 0;

function reply(method: string, path: string, body: string): Reply {
  const route = path.split("?")[0]!;
  if (method === "GET" && route.endsWith("/models")) {
    return { status: 200, json: { object: "list", data: DEMO_MODELS.map((id) => ({ id, object: "model", created: 1_750_000_000, owned_by: "portcullis-demo" })) } };
  }
  if (method !== "POST" || !route.endsWith("/chat/completions")) return openAiError(404, `Invalid URL (${method} ${route})`, null);
  let chat: Chat;
  try {
    chat = JSON.parse(body) as Chat;
  } catch {
    return openAiError(400, "We could not parse the JSON body of your request.", null);
  }
  if (!isObject(chat) || typeof chat.model !== "string") return openAiError(400, "You must provide a model parameter.", null, "model");
  if (!(DEMO_MODELS as readonly string[]).includes(chat.model)) return openAiError(404, `The model \`${chat.model}\` does not exist or you do not have access to it.`, "model_not_found");
  if (!Array.isArray(chat.messages) || chat.messages.length === 0) return openAiError(400, "messages must be a non-empty list.", null, "messages");
  const { text, cut } = answer(chat);
  const usage = { inputTokens: promptTokens(chat), outputTokens: words(text).length, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
  const id = `chatcmpl-demo${++count}`;
  const finish = cut ? "length" : "stop";
  if (chat.stream === true) return streamed(chat, id, text, finish, openAiUsageObject(usage));
  const choice = { index: 0, message: assistantMessage(text, []), logprobs: null, finish_reason: finish };
  return { status: 200, json: chatCompletion(id, chat.model, [choice], usage).body };
}

/** Answers one request to the demo model (its body read whole). */
export function demoLlmAnswer(method: string, path: string, body: string, res: ServerResponse): void {
  const answered = reply(method, path, body);
  if ("events" in answered) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    for (const event of answered.events) res.write(event);
    res.end();
    return;
  }
  const text = JSON.stringify(answered.json);
  res.writeHead(answered.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
