/** Reading token counts from provider JSON, which is untrusted: anything not a count is zero. */
import type { Usage } from "./adapter.ts";

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-negative integer, or 0. */
export function count(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** OpenAI's `usage` object (chat completions and their final stream chunk). */
export function openAiUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const details = isObject(usage["prompt_tokens_details"]) ? usage["prompt_tokens_details"] : {};
  return { inputTokens: count(usage["prompt_tokens"]), outputTokens: count(usage["completion_tokens"]), cachedInputTokens: count(details["cached_tokens"]), cacheWriteInputTokens: 0 };
}
