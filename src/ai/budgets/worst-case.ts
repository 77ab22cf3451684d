/**
 * The most a chat request can use, reserved before the provider is called: a bound on its prompt
 * tokens and on its answer, and their price. The prompt bound is the UTF-8 size of what the
 * model reads (no tokenizer makes more tokens than bytes), with a fixed allowance per inline image
 * instead of its encoded bytes; the answer bound is the client's max_tokens (checked against the
 * alias's cap already), else the alias's cap, else what the adapter sends (Anthropic requires one),
 * else the model's context window; times `n`.
 */
import type { AiModelIR, AiProviderIR } from "../../model/ir.ts";
import { contextWindow } from "../catalog.ts";
import type { ChatRequest, Usage } from "../providers/adapter.ts";
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from "../providers/anthropic-request.ts";

/** More than any provider charges for one image today (OpenAI's high detail, Anthropic's 1.15 megapixels). */
const IMAGE_TOKENS = 6_000;
/** A data URL this long is an encoded image or file, not text the model reads as such. */
const DATA_URL_MIN = 1_024;
/** The fields of a request that the model reads as its prompt (`input`: an embeddings request's; `system`: an Anthropic Messages request's). */
const PROMPT_FIELDS = ["messages", "tools", "functions", "tool_choice", "response_format", "input", "system"] as const;

function promptBytes(value: unknown): number {
  if (typeof value === "string") return value.length >= DATA_URL_MIN && value.startsWith("data:") ? IMAGE_TOKENS : Buffer.byteLength(value);
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + promptBytes(item) + 1, 2);
  if (typeof value === "object" && value !== null) return Object.entries(value).reduce<number>((sum, [key, item]) => sum + Buffer.byteLength(key) + promptBytes(item) + 4, 2);
  return String(value).length;
}

export const promptTokenBound = (chat: ChatRequest): number => PROMPT_FIELDS.reduce((sum, field) => sum + (chat[field] === undefined ? 0 : promptBytes(chat[field])), 0);

const positive = (value: unknown): number | undefined => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined);

/** Undefined only for a model whose answer has no bound at all (compile refuses budgets over such models). */
export function answerTokenBound(chat: ChatRequest, model: AiModelIR, provider: AiProviderIR): number | undefined {
  const asked = positive(chat["max_completion_tokens"]) ?? positive(chat["max_tokens"]);
  const sentByAdapter = provider.api === "anthropic" ? DEFAULT_ANTHROPIC_MAX_TOKENS : undefined;
  const perChoice = asked ?? model.maxTokens ?? sentByAdapter ?? contextWindow(provider.catalog, model.model);
  return perChoice === undefined ? undefined : perChoice * (positive(chat["n"]) ?? 1);
}

export const usageOf = (inputTokens: number, outputTokens: number): Usage => ({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteInputTokens: 0 });
