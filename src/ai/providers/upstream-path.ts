/**
 * Where a request goes below a provider's base URL, for the wire formats whose path depends on the
 * request: the model (Gemini, Bedrock), its deployment and api-version (Azure OpenAI), streaming
 * or not (Gemini, Bedrock). Envoy's provider routes rewrite the path (src/model/resolve-ai.ts):
 * the processor names the path in AI_UPSTREAM_PATH_HEADER, and one route per path a provider's
 * models can take matches it exactly, so only paths known at compile time are ever sent.
 */
import type { AiProviderIR } from "../../model/ir.ts";

/** The header the processor sets to select the provider route of a request-dependent path; clients' copies are removed on arrival. */
export const AI_UPSTREAM_PATH_HEADER = "x-portcullis-ai-path";
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";
/** Where the Anthropic Messages passthrough is, below the AI base path: `@anthropic-ai/sdk` takes `{gateway}{basePath}/anthropic` as its baseURL. */
export const ANTHROPIC_MESSAGES_PATH = "/anthropic/v1/messages";

/** The path below the base URL (query included), or undefined where one path serves every request (OpenAI, Anthropic). */
export function upstreamPath(provider: Pick<AiProviderIR, "api" | "azure">, model: string, stream: boolean): string | undefined {
  switch (provider.api) {
    case "gemini":
      return `/v1beta/models/${encodeURIComponent(model)}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
    case "azure-openai": {
      const deployment = provider.azure?.deployments[model] ?? model;
      return `/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(provider.azure?.apiVersion ?? DEFAULT_AZURE_API_VERSION)}`;
    }
    case "bedrock":
      return `/model/${encodeURIComponent(model)}/${stream ? "converse-stream" : "converse"}`;
    default:
      return undefined;
  }
}

/** The embeddings path below the base URL where it depends on the model, or undefined where one path serves every model (OpenAI). */
export function embeddingsPath(provider: Pick<AiProviderIR, "api" | "azure">, model: string): string | undefined {
  switch (provider.api) {
    case "gemini":
      return `/v1beta/models/${encodeURIComponent(model)}:batchEmbedContents`;
    case "azure-openai":
      return (upstreamPath(provider, model, false) ?? "").replace(/\/chat\/completions\?/, "/embeddings?");
    default:
      return undefined;
  }
}

/** Every path a provider's models can take (streamed and not), sorted: one provider route each. */
export function upstreamPaths(provider: Pick<AiProviderIR, "api" | "azure">, models: readonly string[]): string[] {
  const paths = new Set(models.flatMap((model) => [upstreamPath(provider, model, false), upstreamPath(provider, model, true)]).filter((path) => path !== undefined));
  return [...paths].sort();
}
