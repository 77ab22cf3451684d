/** Anthropic's Messages API behind the OpenAI chat completions API. */
import type { AiProviderIR } from "../../model/ir.ts";
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget, NativeRequest, ProviderAdapter } from "./adapter.ts";
import { ANTHROPIC_VERSION, anthropicBody } from "./anthropic-request.ts";
import { anthropicCompletion, anthropicStream } from "./anthropic-response.ts";

function request(chat: ChatRequest, target: ChatTarget, apiKey: string | undefined, _provider: AiProviderIR): NativeRequest | OpenAiError {
  const translated = anthropicBody(chat, target);
  if ("error" in translated) return translated.error;
  return {
    headers: { ...(apiKey ? { "x-api-key": apiKey } : {}), "anthropic-version": ANTHROPIC_VERSION },
    body: JSON.stringify(translated.body),
  };
}

export const anthropicAdapter: ProviderAdapter = {
  api: "anthropic",
  openAiShaped: false,
  request,
  body: anthropicCompletion,
  stream: anthropicStream,
};
