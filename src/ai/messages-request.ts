/**
 * Reading a request to the Anthropic Messages passthrough (`{basePath}/anthropic/v1/messages`):
 * valid JSON with a model alias this gateway serves through an Anthropic provider, messages, and
 * max_tokens (which Anthropic requires) within the alias's cap.
 */
import type { AiGatewayRuntime } from "./gateways.ts";
import { invalidRequest, type OpenAiError } from "./openai-errors.ts";
import type { ChatRequest, ProviderAdapter } from "./providers/adapter.ts";
import { type AnthropicClientHeaders, anthropicPassthroughAdapter } from "./providers/anthropic-passthrough.ts";
import { isObject } from "./providers/usage-fields.ts";
import type { ResolvedChat } from "./chat-request.ts";

export function resolveMessages(body: Uint8Array, runtime: AiGatewayRuntime, client: AnthropicClientHeaders): (ResolvedChat & { readonly adapter: ProviderAdapter }) | OpenAiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return invalidRequest("The request body is not valid JSON.");
  }
  if (!isObject(parsed)) return invalidRequest("The request body must be a JSON object.");
  if (typeof parsed["model"] !== "string" || parsed["model"] === "") return invalidRequest("model: Field required", "model");
  if (!Array.isArray(parsed["messages"]) || parsed["messages"].length === 0) return invalidRequest("messages: Field required", "messages");
  const maxTokens = parsed["max_tokens"];
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) return invalidRequest("max_tokens: Field required (a positive integer)", "max_tokens");
  const model = runtime.models.get(parsed["model"]);
  const provider = model && runtime.providers.get(model.provider);
  if (!model || !provider) return { status: 404, type: "not_found_error", param: "model", message: `model: ${parsed["model"]}` };
  if (provider.api !== "anthropic") return invalidRequest(`The model ${model.alias} is served by a ${provider.type} provider; the Messages API passes through to Anthropic providers only.`, "model");
  if (model.maxTokens !== undefined && maxTokens > model.maxTokens) return invalidRequest(`max_tokens: ${maxTokens} is above the ${model.maxTokens} the model ${model.alias} allows.`, "max_tokens");
  return { chat: parsed as ChatRequest, model, provider, adapter: anthropicPassthroughAdapter(client) };
}
