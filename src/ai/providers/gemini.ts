/** Google Gemini's generateContent and streamGenerateContent (`alt=sse`) behind the OpenAI chat completions API. */
import type { AiProviderIR } from "../../model/ir.ts";
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget, NativeRequest, ProviderAdapter } from "./adapter.ts";
import { geminiBody } from "./gemini-request.ts";
import { geminiCompletion, geminiKeyRefusal, geminiStream } from "./gemini-response.ts";
import { upstreamPath } from "./upstream-path.ts";

function request(chat: ChatRequest, target: ChatTarget, apiKey: string | undefined, provider: AiProviderIR): NativeRequest | OpenAiError {
  const translated = geminiBody(chat, target);
  if ("error" in translated) return translated.error;
  return {
    headers: apiKey ? { "x-goog-api-key": apiKey } : {},
    body: JSON.stringify(translated.body),
    path: upstreamPath(provider, target.model, chat.stream === true)!,
  };
}

export const geminiAdapter: ProviderAdapter = {
  api: "gemini",
  openAiShaped: false,
  request,
  body: geminiCompletion,
  stream: geminiStream,
  keyRefusal: geminiKeyRefusal,
};
