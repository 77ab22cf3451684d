/**
 * OpenAI and every OpenAI-compatible server (vLLM, Ollama, Groq, Mistral, ...): the request goes
 * out as the client wrote it with the provider's model and key; answers pass through unchanged.
 * Streams ask for the final usage chunk, which the client gets only if it asked for it too.
 */
import type { AiProviderIR } from "../../model/ir.ts";
import { formatSse } from "../sse.ts";
import type { ChatRequest, ChatTarget, NativeRequest, ProviderAdapter, StreamContext, StreamTranslator, Usage } from "./adapter.ts";
import { isObject, openAiUsage } from "./usage-fields.ts";

function request(chat: ChatRequest, target: ChatTarget, apiKey: string | undefined, provider: AiProviderIR): NativeRequest {
  const body: Record<string, unknown> = { ...chat, model: target.model };
  if (chat["max_tokens"] === undefined && chat["max_completion_tokens"] === undefined && target.maxTokens !== undefined) {
    // OpenAI's reasoning models refuse max_tokens; compatible servers mostly know only max_tokens.
    body[provider.type === "openai" ? "max_completion_tokens" : "max_tokens"] = target.maxTokens;
  }
  if (chat.stream === true) body["stream_options"] = { ...(isObject(chat["stream_options"]) ? chat["stream_options"] : {}), include_usage: true };
  return { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, body: JSON.stringify(body) };
}

function stream(context: StreamContext): StreamTranslator {
  let usage: Usage | undefined;
  return {
    event(event) {
      if (event.data === "[DONE]") return formatSse(event.data, event.event);
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        return formatSse(event.data, event.event);
      }
      if (isObject(chunk) && isObject(chunk["usage"])) {
        usage = openAiUsage(chunk["usage"]);
        // The usage-only chunk the gateway asked for: not the client's unless it asked too.
        if (!context.clientWantsUsage && Array.isArray(chunk["choices"]) && chunk["choices"].length === 0) return "";
      }
      return formatSse(event.data, event.event);
    },
    end: () => "",
    usage: () => usage,
  };
}

export const openAiAdapter: ProviderAdapter = {
  api: "openai",
  openAiShaped: true,
  request,
  body: (_status, body) => {
    const usage = isObject(body) ? openAiUsage(body["usage"]) : undefined;
    return { body, ...(usage ? { usage } : {}) };
  },
  stream,
};
