/**
 * Gemini answers → OpenAI's shapes: a GenerateContentResponse → a chat.completion; the `alt=sse`
 * stream (each event a GenerateContentResponse holding the new parts, the usage so far and, last,
 * the finish reason) → chat.completion.chunk events; a Google API error → OpenAI's error body.
 */
import { errorBody, type OpenAiErrorType, typeForStatus } from "../openai-errors.ts";
import { formatSse, type SseEvent } from "../sse.ts";
import type { KeyRefusal, StreamContext, StreamTranslator, Usage } from "./adapter.ts";
import { assistantMessage, chatCompletion, eventData, nowSeconds, usageChunk } from "./openai-shapes.ts";
import { count, isObject } from "./usage-fields.ts";

const FINISH_REASON: Readonly<Record<string, string>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
};

/** google.rpc status codes → OpenAI error types. */
const ERROR_TYPE: Readonly<Record<string, OpenAiErrorType>> = {
  INVALID_ARGUMENT: "invalid_request_error",
  FAILED_PRECONDITION: "invalid_request_error",
  OUT_OF_RANGE: "invalid_request_error",
  UNAUTHENTICATED: "authentication_error",
  PERMISSION_DENIED: "permission_error",
  NOT_FOUND: "not_found_error",
  RESOURCE_EXHAUSTED: "rate_limit_error",
  INTERNAL: "server_error",
  UNAVAILABLE: "server_error",
  DEADLINE_EXCEEDED: "server_error",
};

/** usageMetadata: promptTokenCount includes cached tokens; thinking tokens are billed as output. */
export function geminiUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  return {
    inputTokens: count(usage["promptTokenCount"]),
    outputTokens: count(usage["candidatesTokenCount"]) + count(usage["thoughtsTokenCount"]),
    cachedInputTokens: count(usage["cachedContentTokenCount"]),
    cacheWriteInputTokens: 0,
  };
}

/** A Google API error (`{error: {code, message, status}}`) as an OpenAI error body. */
export function geminiError(status: number, body: unknown): unknown {
  const error = isObject(body) && isObject(body["error"]) ? body["error"] : {};
  const message = typeof error["message"] === "string" ? error["message"] : `The provider answered with status ${status}.`;
  const code = typeof error["status"] === "string" ? error["status"] : undefined;
  const type = (code ? ERROR_TYPE[code] : undefined) ?? typeForStatus(status);
  return JSON.parse(errorBody({ status, message, type, ...(code ? { code } : {}) }));
}

/** The text and function calls of a candidate's new parts (thought summaries are not the answer). */
function readParts(candidate: Record<string, unknown>) {
  const content = isObject(candidate["content"]) ? candidate["content"] : {};
  const parts = Array.isArray(content["parts"]) ? content["parts"].filter(isObject).filter((part) => part["thought"] !== true) : [];
  const text = parts.filter((part) => typeof part["text"] === "string").map((part) => String(part["text"])).join("");
  const calls = parts.filter((part) => isObject(part["functionCall"])).map((part) => part["functionCall"] as Record<string, unknown>);
  return { text, calls };
}

const callId = (call: Record<string, unknown>, responseId: string, index: number) => (typeof call["id"] === "string" && call["id"] !== "" ? call["id"] : `call_${responseId}_${index}`);
const toolCall = (call: Record<string, unknown>, id: string) => ({ id, type: "function", function: { name: String(call["name"] ?? ""), arguments: JSON.stringify(call["args"] ?? {}) } });

function finishReason(candidate: Record<string, unknown>, calledTools: boolean): string | null {
  const reason = candidate["finishReason"];
  if (typeof reason !== "string" || reason === "FINISH_REASON_UNSPECIFIED") return null;
  return calledTools && reason === "STOP" ? "tool_calls" : (FINISH_REASON[reason] ?? "stop");
}

/** A whole GenerateContentResponse as a chat.completion (one choice per candidate). */
export function geminiCompletion(status: number, body: unknown): { body: unknown; usage?: Usage } {
  if (status >= 400 || !isObject(body) || !Array.isArray(body["candidates"])) return { body: geminiError(status >= 400 ? status : 502, body) };
  const id = String(body["responseId"] ?? "");
  const usage = geminiUsage(body["usageMetadata"]);
  const choices = body["candidates"].filter(isObject).map((candidate, position) => {
    const { text, calls } = readParts(candidate);
    const toolCalls = calls.map((call, index) => toolCall(call, callId(call, id, index)));
    return {
      index: typeof candidate["index"] === "number" ? candidate["index"] : position,
      message: assistantMessage(text, toolCalls),
      logprobs: null,
      finish_reason: finishReason(candidate, toolCalls.length > 0) ?? "stop",
    };
  });
  return chatCompletion(`chatcmpl-${id}`, String(body["modelVersion"] ?? ""), choices, usage);
}

/** The alt=sse stream → chat.completion.chunk events; Gemini sends no end marker, so [DONE] (and the usage chunk) come at the end. */
export function geminiStream(context: StreamContext): StreamTranslator {
  let id = "";
  let model = "";
  const created = nowSeconds();
  let usage: Usage | undefined;
  /** Candidate index → whether its role was sent, and how many tool calls it made so far. */
  const started = new Set<number>();
  const toolCalls = new Map<number, number>();
  const chunk = (index: number, delta: Record<string, unknown>, finish: string | null = null) =>
    formatSse(JSON.stringify({ id: `chatcmpl-${id}`, object: "chat.completion.chunk", created, model, choices: [{ index, delta, logprobs: null, finish_reason: finish }] }));

  function candidateChunks(candidate: Record<string, unknown>, position: number): string {
    const index = typeof candidate["index"] === "number" ? candidate["index"] : position;
    const { text, calls } = readParts(candidate);
    let out = "";
    const role = started.has(index) ? {} : { role: "assistant" };
    started.add(index);
    if (text !== "" || Object.keys(role).length > 0) out += chunk(index, { ...role, content: text });
    const before = toolCalls.get(index) ?? 0;
    calls.forEach((call, i) => {
      // Gemini sends each function call whole: one chunk carries its id, name and all its arguments.
      out += chunk(index, { tool_calls: [{ index: before + i, ...toolCall(call, callId(call, id, before + i)) }] });
    });
    toolCalls.set(index, before + calls.length);
    const finish = finishReason(candidate, (toolCalls.get(index) ?? 0) > 0);
    if (finish) out += chunk(index, {}, finish);
    return out;
  }

  return {
    event(event: SseEvent) {
      const data = eventData(event);
      if (!data) return "";
      if (isObject(data["error"])) return formatSse(JSON.stringify(geminiError(500, data)));
      id ||= String(data["responseId"] ?? "");
      model ||= String(data["modelVersion"] ?? "");
      // Each event repeats the usage so far: the last one holds the answer's.
      usage = geminiUsage(data["usageMetadata"]) ?? usage;
      return (Array.isArray(data["candidates"]) ? data["candidates"] : []).filter(isObject).map(candidateChunks).join("");
    },
    end() {
      return `${usageChunk(context.clientWantsUsage, { id: `chatcmpl-${id}`, created, model }, usage)}${formatSse("[DONE]")}`;
    },
    usage: () => usage,
  };
}

/** Google answers a key it does not accept (unknown, revoked or expired) with 400 and the reason API_KEY_INVALID in the error's details. */
export const geminiKeyRefusal: KeyRefusal = {
  status: 400,
  refused(body) {
    const details = isObject(body) && isObject(body["error"]) ? body["error"]["details"] : undefined;
    return Array.isArray(details) && details.some((detail) => isObject(detail) && (detail["reason"] === "API_KEY_INVALID"));
  },
};
