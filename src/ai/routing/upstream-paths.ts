/**
 * Where a request goes below a provider's base URL for the wire formats with one path per
 * endpoint (the others' paths depend on the request: ../providers/upstream-path.ts, which the
 * adapters return). Provider routes rewrite to these paths; a chain's attempts are sent to them
 * by the processor.
 */
import type { AiProviderIR } from "../../model/ir.ts";
import type { ProviderEndpoint } from "./chains.ts";

export const FIXED_PATHS: Readonly<Partial<Record<AiProviderIR["api"], Partial<Record<ProviderEndpoint, string>>>>> = {
  openai: { chat: "/chat/completions", embeddings: "/embeddings" },
  anthropic: { chat: "/v1/messages", messages: "/v1/messages" },
};

/** The full upstream path of an attempt: the base URL's path, then the endpoint's or the adapter's path. */
export function attemptPath(provider: AiProviderIR, endpoint: ProviderEndpoint, adapterPath: string | undefined): string {
  return `${provider.upstream?.pathPrefix ?? ""}${adapterPath ?? FIXED_PATHS[provider.api]?.[endpoint] ?? ""}`;
}
