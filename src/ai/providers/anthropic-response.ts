/**
 * Anthropic Messages answers → OpenAI's shapes: a message → a chat.completion, the Messages event
 * stream → chat.completion.chunk events (text and tool-call deltas, the finish reason, the usage
 * chunk), an error → OpenAI's error body.
 */
import { errorBody, type OpenAiErrorType, typeForStatus } from "../openai-errors.ts";
import { formatSse, type SseEvent } from "../sse.ts";
import type { StreamContext, StreamTranslator, Usage } from "./adapter.ts";
import { assistantMessage, chatCompletion, eventData, nowSeconds, usageChunk } from "./openai-shapes.ts";
import { count, isObject } from "./usage-fields.ts";

const FINISH_REASON: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};
const finishReason = (stop: unknown) => (typeof stop === "string" ? (FINISH_REASON[stop] ?? "stop") : null);

const ERROR_TYPE: Readonly<Record<string, OpenAiErrorType>> = {
  invalid_request_error: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "not_found_error",
  rate_limit_error: "rate_limit_error",
  api_error: "server_error",
  overloaded_error: "server_error",
};

/** Anthropic's usage: input_tokens excludes cache reads and writes, which OpenAI's prompt_tokens include. */
export function anthropicUsage(usage: unknown, before?: Usage): Usage | undefined {
  if (!isObject(usage)) return before;
  const cached = count(usage["cache_read_input_tokens"]);
  const written = count(usage["cache_creation_input_tokens"]);
  const input = count(usage["input_tokens"]) + cached + written;
  // message_delta repeats the input counts only in newer API versions; otherwise message_start's hold.
  const keep = input === 0 && before !== undefined;
  return {
    inputTokens: keep ? before.inputTokens : input,
    outputTokens: count(usage["output_tokens"]),
    cachedInputTokens: keep ? before.cachedInputTokens : cached,
    cacheWriteInputTokens: keep ? before.cacheWriteInputTokens : written,
  };
}

/** An Anthropic error (or anything else a failing provider sent) as an OpenAI error body. */
export function anthropicError(status: number, body: unknown): unknown {
  const error = isObject(body) && isObject(body["error"]) ? body["error"] : {};
  const message = typeof error["message"] === "string" ? error["message"] : `The provider answered with status ${status}.`;
  const type = (typeof error["type"] === "string" ? ERROR_TYPE[error["type"]] : undefined) ?? typeForStatus(status);
  return JSON.parse(errorBody({ status, message, type, ...(typeof error["type"] === "string" ? { code: error["type"] } : {}) }));
}

/** A whole Messages answer as a chat.completion. */
export function anthropicCompletion(status: number, body: unknown): { body: unknown; usage?: Usage } {
  if (status >= 400 || !isObject(body) || body["type"] !== "message") return { body: anthropicError(status, body) };
  const blocks = Array.isArray(body["content"]) ? body["content"].filter(isObject) : [];
  const text = blocks.filter((block) => block["type"] === "text").map((block) => String(block["text"] ?? "")).join("");
  const calls = blocks
    .filter((block) => block["type"] === "tool_use")
    .map((block) => ({ id: block["id"], type: "function", function: { name: block["name"], arguments: JSON.stringify(block["input"] ?? {}) } }));
  const choice = { index: 0, message: assistantMessage(text, calls), logprobs: null, finish_reason: finishReason(body["stop_reason"]) };
  return chatCompletion(body["id"], body["model"], [choice], anthropicUsage(body["usage"]));
}

/** The Messages event stream → chat.completion.chunk events, one provider event at a time. */
export function anthropicStream(context: StreamContext): StreamTranslator {
  let id = "";
  let model = "";
  const created = nowSeconds();
  let usage: Usage | undefined;
  /** Content block index → OpenAI tool call index (tool calls are numbered on their own). */
  const toolIndex = new Map<number, number>();
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    formatSse(JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));

  const handlers: Readonly<Record<string, (data: Record<string, unknown>) => string>> = {
    message_start(data) {
      const message = isObject(data["message"]) ? data["message"] : {};
      id = String(message["id"] ?? "");
      model = String(message["model"] ?? "");
      usage = anthropicUsage(message["usage"]);
      return chunk({ role: "assistant", content: "" });
    },
    content_block_start(data) {
      const block = isObject(data["content_block"]) ? data["content_block"] : {};
      if (block["type"] === "tool_use") {
        const index = toolIndex.size;
        toolIndex.set(count(data["index"]), index);
        return chunk({ tool_calls: [{ index, id: block["id"], type: "function", function: { name: block["name"], arguments: "" } }] });
      }
      return block["type"] === "text" && typeof block["text"] === "string" && block["text"] !== "" ? chunk({ content: block["text"] }) : "";
    },
    content_block_delta(data) {
      const delta = isObject(data["delta"]) ? data["delta"] : {};
      if (delta["type"] === "text_delta") return chunk({ content: String(delta["text"] ?? "") });
      const index = toolIndex.get(count(data["index"]));
      if (delta["type"] === "input_json_delta" && index !== undefined) return chunk({ tool_calls: [{ index, function: { arguments: String(delta["partial_json"] ?? "") } }] });
      return ""; // thinking and signature deltas have no OpenAI counterpart
    },
    message_delta(data) {
      usage = anthropicUsage(data["usage"], usage);
      const delta = isObject(data["delta"]) ? data["delta"] : {};
      return chunk({}, finishReason(delta["stop_reason"]) ?? "stop");
    },
    message_stop: () => `${usageChunk(context.clientWantsUsage, { id, created, model }, usage)}${formatSse("[DONE]")}`,
    error(data) {
      return formatSse(JSON.stringify(anthropicError(500, data)));
    },
  };

  return {
    event(event: SseEvent) {
      const data = eventData(event);
      if (!data) return "";
      const handler = handlers[String(data["type"] ?? event.event)];
      return handler ? handler(data) : ""; // ping, content_block_stop
    },
    end: () => "",
    usage: () => usage,
  };
}
