/** The OpenAI shapes every translating adapter answers in: the assistant message, the chat.completion, the usage object and chunk; and a provider event's JSON. */
import { formatSse, type SseEvent } from "../sse.ts";
import type { Usage } from "./adapter.ts";
import { isObject } from "./usage-fields.ts";

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function openAiUsageObject(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
  };
}

/** The assistant's message: its text, or null when it only calls tools. */
export const assistantMessage = (text: string, toolCalls: readonly unknown[]) => ({
  role: "assistant",
  content: text === "" && toolCalls.length > 0 ? null : text,
  refusal: null,
  ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
});

/** A chat.completion and the usage read with it. */
export function chatCompletion(id: unknown, model: unknown, choices: readonly unknown[], usage: Usage | undefined): { body: unknown; usage?: Usage } {
  return {
    body: { id, object: "chat.completion", created: nowSeconds(), model, choices, ...(usage ? { usage: openAiUsageObject(usage) } : {}) },
    ...(usage ? { usage } : {}),
  };
}

/** The final usage-only chunk of a stream, for a client that asked for it (`stream_options.include_usage`). */
export function usageChunk(wanted: boolean, chunk: { readonly id: string; readonly created: number; readonly model: string }, usage: Usage | undefined): string {
  return wanted && usage ? formatSse(JSON.stringify({ ...chunk, object: "chat.completion.chunk", choices: [], usage: openAiUsageObject(usage) })) : "";
}

/** A provider event's data as a JSON object, or undefined (pings and garbage are skipped). */
export function eventData(event: SseEvent): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(event.data);
    return isObject(data) ? data : undefined;
  } catch {
    return undefined;
  }
}
