/**
 * Reading an embeddings request (`{basePath}/embeddings`): valid JSON with a model alias this
 * gateway serves and an input, for a provider that can embed; the adapter that translates it.
 * Errors are OpenAI's, with its wording where clients may match on it.
 */
import type { AiGatewayRuntime } from "./gateways.ts";
import { invalidRequest, modelRequest, type OpenAiError } from "./openai-errors.ts";
import type { ProviderAdapter } from "./providers/adapter.ts";
import { type EmbeddingsRequest, embeddingsAdapter } from "./providers/embeddings.ts";
import type { ResolvedChat } from "./chat-request.ts";

export function resolveEmbeddings(body: Uint8Array, runtime: AiGatewayRuntime): (ResolvedChat & { readonly adapter: ProviderAdapter }) | OpenAiError {
  const read = modelRequest(body);
  if ("error" in read) return read.error;
  const parsed = read.request;
  const input = parsed["input"];
  if (input === undefined || input === null || input === "" || (Array.isArray(input) && input.length === 0)) return invalidRequest("'input' is a required property and must not be empty.", "input");
  const model = runtime.models.get(parsed["model"]);
  const provider = model && runtime.providers.get(model.provider);
  if (!model || !provider) {
    return { status: 404, type: "invalid_request_error", param: "model", code: "model_not_found", message: `The model \`${parsed["model"]}\` does not exist or you do not have access to it.` };
  }
  // Budgets and the exchange read it as they read a chat request; it has no messages, which they do not need.
  const request = parsed as unknown as EmbeddingsRequest;
  const adapter = embeddingsAdapter(provider.api, request, model.model);
  if (!adapter) return invalidRequest(`The model \`${model.alias}\` is served by a ${provider.type} provider, which has no embeddings endpoint.`, "model", "model_not_supported");
  return { chat: request, model, provider, adapter };
}
