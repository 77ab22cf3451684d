/**
 * Azure OpenAI: OpenAI's chat completions wire format at a deployment's path
 * (`/openai/deployments/{deployment}/chat/completions?api-version=...`), with the key in the
 * `api-key` header. Bodies and streams are OpenAI's, so they pass through as for OpenAI.
 */
import type { AiProviderIR } from "../../model/ir.ts";
import type { ChatRequest, ChatTarget, NativeRequest, ProviderAdapter } from "./adapter.ts";
import { openAiAdapter } from "./openai.ts";
import { upstreamPath } from "./upstream-path.ts";

function request(chat: ChatRequest, target: ChatTarget, apiKey: string | undefined, provider: AiProviderIR): NativeRequest {
  const openAi = openAiAdapter.request(chat, target, undefined, provider) as NativeRequest;
  return { headers: apiKey ? { "api-key": apiKey } : {}, body: openAi.body, path: upstreamPath(provider, target.model, chat.stream === true)! };
}

export const azureOpenAiAdapter: ProviderAdapter = { ...openAiAdapter, api: "azure-openai", request };
