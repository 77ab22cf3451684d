/**
 * The model catalog: prices from @pydantic/genai-prices (pinned in package.json, read from the
 * package's bundled data: never fetched at run time, so the same version prices the same way
 * everywhere). Loaded on first use, so gateways without an `ai` section never pay for it.
 */
import { createRequire } from "node:module";
import type { Usage } from "./providers/adapter.ts";

type Prices = typeof import("@pydantic/genai-prices");
let prices: Prices | undefined;
const load = (): Prices => (prices ??= createRequire(import.meta.url)("@pydantic/genai-prices") as Prices);

/** The catalog's provider for a provider type and base URL: the vendor itself, or an OpenAI-compatible host it knows (Groq, Mistral, ...). */
export function catalogProvider(type: string, baseUrl: string | undefined): string | undefined {
  if (type === "openai" || type === "anthropic") return type;
  return baseUrl ? load().findProvider({ providerApiUrl: baseUrl })?.id : undefined;
}

/** The cost in US dollars of a request's tokens, or null when the catalog has no price for the model. */
export function costUsd(provider: string | undefined, model: string, usage: Usage): number | null {
  if (!provider) return null;
  const result = load().calcPrice(
    { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteInputTokens },
    model,
    { providerId: provider },
  );
  return result ? result.total_price : null;
}

/** Whether the catalog prices this model (a zero-token request costs 0, not null, when it does). */
export const isPriced = (provider: string | undefined, model: string): boolean =>
  costUsd(provider, model, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 }) !== null;

/** The model's context window in tokens, where the catalog knows it: no answer can be longer. */
export function contextWindow(provider: string | undefined, model: string): number | undefined {
  if (!provider) return undefined;
  const found = load().calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider });
  return found?.model.context_window;
}
