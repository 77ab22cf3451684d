/**
 * Reading a chat completion request: valid JSON with a model alias this gateway serves and
 * messages, and a token limit within the alias's cap. Errors are OpenAI's, with its wording where
 * clients or people may match on it.
 */
import type { AiModelIR, AiProviderIR } from "../model/ir.ts";
import type { AiGatewayRuntime } from "./gateways.ts";
import { invalidRequest, modelRequest, type OpenAiError } from "./openai-errors.ts";
import type { ChatRequest } from "./providers/adapter.ts";

export interface ResolvedChat {
  readonly chat: ChatRequest;
  readonly model: AiModelIR;
  readonly provider: AiProviderIR;
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value > 0;

function checkMaxTokens(chat: ChatRequest, model: AiModelIR): OpenAiError | undefined {
  for (const param of ["max_completion_tokens", "max_tokens"] as const) {
    const value = chat[param];
    if (value === undefined || value === null) continue;
    if (!isCount(value)) return invalidRequest(`${param} must be a positive integer.`, param, "integer_below_min_value");
    if (model.maxTokens !== undefined && value > model.maxTokens) {
      return invalidRequest(`${param} is too large: ${value}. The model ${model.alias} allows at most ${model.maxTokens}.`, param, "max_tokens_exceeded");
    }
  }
  return undefined;
}

export function resolveChat(body: Uint8Array, runtime: AiGatewayRuntime): ResolvedChat | OpenAiError {
  const read = modelRequest(body);
  if ("error" in read) return read.error;
  const parsed = read.request;
  if (!Array.isArray(parsed["messages"]) || parsed["messages"].length === 0) return invalidRequest("messages must be a non-empty list.", "messages");
  if (parsed["stream"] !== undefined && parsed["stream"] !== null && typeof parsed["stream"] !== "boolean") return invalidRequest("stream must be a boolean.", "stream");
  const chat = parsed as ChatRequest;
  const model = runtime.models.get(chat.model);
  const provider = model && runtime.providers.get(model.provider);
  if (!model || !provider) {
    return { status: 404, type: "invalid_request_error", param: "model", code: "model_not_found", message: `The model \`${chat.model}\` does not exist or you do not have access to it.` };
  }
  return checkMaxTokens(chat, model) ?? { chat, model, provider };
}
