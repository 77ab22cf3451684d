/**
 * Bedrock Converse answers → OpenAI's shapes: a Converse response → a chat.completion; the
 * ConverseStream events (decoded from the AWS event stream by bedrock-event-stream.ts:
 * messageStart, contentBlockStart/Delta/Stop, messageStop, metadata, and exceptions) →
 * chat.completion.chunk events; an error ({message} with the HTTP status) → OpenAI's error body.
 */
import { errorBody, type OpenAiErrorType, typeForStatus } from "../openai-errors.ts";
import { formatSse, type SseEvent } from "../sse.ts";
import type { StreamContext, StreamTranslator, Usage } from "./adapter.ts";
import { assistantMessage, chatCompletion, eventData, nowSeconds, usageChunk } from "./openai-shapes.ts";
import { count, isObject } from "./usage-fields.ts";

const FINISH_REASON: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  guardrail_intervened: "content_filter",
  content_filtered: "content_filter",
};
const finishReason = (stop: unknown) => (typeof stop === "string" ? (FINISH_REASON[stop] ?? "stop") : "stop");

/** Exceptions ConverseStream sends inside the stream, and the status each stands for. */
const STREAM_EXCEPTION_STATUS: Readonly<Record<string, number>> = {
  throttlingException: 429,
  validationException: 400,
  modelStreamErrorException: 424,
  internalServerException: 500,
  serviceUnavailableException: 503,
};

/** Bedrock's usage: inputTokens excludes the cache reads and writes that OpenAI's prompt_tokens include. */
export function bedrockUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const cached = count(usage["cacheReadInputTokens"]);
  const written = count(usage["cacheWriteInputTokens"]);
  return { inputTokens: count(usage["inputTokens"]) + cached + written, outputTokens: count(usage["outputTokens"]), cachedInputTokens: cached, cacheWriteInputTokens: written };
}

export function bedrockError(status: number, body: unknown, code?: string): unknown {
  const message = isObject(body) && typeof (body["message"] ?? body["Message"]) === "string" ? String(body["message"] ?? body["Message"]) : `The provider answered with status ${status}.`;
  const type: OpenAiErrorType = typeForStatus(status);
  return JSON.parse(errorBody({ status, message, type, ...(code ? { code } : {}) }));
}

const completionId = () => `chatcmpl-bedrock-${Date.now().toString(36)}`;

/** A whole Converse response as a chat.completion (Converse answers carry no id or model). */
export function bedrockCompletion(status: number, body: unknown): { body: unknown; usage?: Usage } {
  const output = isObject(body) && isObject(body["output"]) ? body["output"] : undefined;
  if (status >= 400 || !output || !isObject(output["message"])) return { body: bedrockError(status >= 400 ? status : 502, body) };
  const content = Array.isArray(output["message"]["content"]) ? output["message"]["content"].filter(isObject) : [];
  const text = content.filter((block) => typeof block["text"] === "string").map((block) => String(block["text"])).join("");
  const calls = content
    .filter((block) => isObject(block["toolUse"]))
    .map((block) => block["toolUse"] as Record<string, unknown>)
    .map((use) => ({ id: use["toolUseId"], type: "function", function: { name: use["name"], arguments: JSON.stringify(use["input"] ?? {}) } }));
  const choice = { index: 0, message: assistantMessage(text, calls), logprobs: null, finish_reason: finishReason((body as Record<string, unknown>)["stopReason"]) };
  return chatCompletion(completionId(), "", [choice], bedrockUsage((body as Record<string, unknown>)["usage"]));
}

/** ConverseStream events → chat.completion.chunk events. The usage comes in `metadata`, after messageStop: [DONE] waits for it. */
export function bedrockStream(context: StreamContext): StreamTranslator {
  const id = completionId();
  const created = nowSeconds();
  let usage: Usage | undefined;
  /** Content block index → OpenAI tool call index. */
  const toolIndex = new Map<number, number>();
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    formatSse(JSON.stringify({ id, object: "chat.completion.chunk", created, model: "", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));

  const handlers: Readonly<Record<string, (data: Record<string, unknown>) => string>> = {
    messageStart: () => chunk({ role: "assistant", content: "" }),
    contentBlockStart(data) {
      const start = isObject(data["start"]) && isObject(data["start"]["toolUse"]) ? data["start"]["toolUse"] : undefined;
      if (!start) return "";
      const index = toolIndex.size;
      toolIndex.set(count(data["contentBlockIndex"]), index);
      return chunk({ tool_calls: [{ index, id: start["toolUseId"], type: "function", function: { name: start["name"], arguments: "" } }] });
    },
    contentBlockDelta(data) {
      const delta = isObject(data["delta"]) ? data["delta"] : {};
      if (typeof delta["text"] === "string") return chunk({ content: delta["text"] });
      if (isObject(delta["toolUse"])) return chunk({ tool_calls: [{ index: toolIndex.get(count(data["contentBlockIndex"])) ?? 0, function: { arguments: String(delta["toolUse"]["input"] ?? "") } }] });
      return ""; // reasoning content has no OpenAI counterpart
    },
    messageStop: (data) => chunk({}, finishReason(data["stopReason"])),
    metadata(data) {
      usage = bedrockUsage(data["usage"]);
      return `${usageChunk(context.clientWantsUsage, { id, created, model: "" }, usage)}${formatSse("[DONE]")}`;
    },
    exception(data) {
      const type = String(data["exceptionType"] ?? "");
      return formatSse(JSON.stringify(bedrockError(STREAM_EXCEPTION_STATUS[type] ?? 500, data, type)));
    },
  };

  return {
    event(event: SseEvent) {
      const data = eventData(event);
      const handler = data && event.event ? handlers[event.event] : undefined;
      return data && handler ? handler(data) : ""; // contentBlockStop
    },
    end: () => "",
    usage: () => usage,
  };
}
