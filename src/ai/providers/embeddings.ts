/**
 * The OpenAI embeddings API (`{basePath}/embeddings`) in front of the providers that embed text:
 * OpenAI and OpenAI-compatible servers (passed through), Azure OpenAI (the deployment's
 * embeddings path, api-key) and Gemini (batchEmbedContents, one request per input; the vectors
 * come back as OpenAI's list, as floats or, as the openai client asks by default, base64 of
 * little-endian float32). Anthropic and Bedrock Converse have no embeddings endpoint: requests
 * for their aliases are refused before any upstream call. Each adapter has ProviderAdapter's
 * shape, so the processor drives it like a chat adapter.
 */
import type { AiProviderIR } from "../../model/ir.ts";
import { invalidRequest, type OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget, NativeRequest, ProviderAdapter } from "./adapter.ts";
import { geminiError, geminiKeyRefusal } from "./gemini-response.ts";
import { openAiAdapter } from "./openai.ts";
import { embeddingsPath } from "./upstream-path.ts";
import { count, isObject } from "./usage-fields.ts";

/** An OpenAI embeddings request, checked to have a model alias and an input. */
export type EmbeddingsRequest = ChatRequest & { readonly input: unknown };

const noStream = openAiAdapter.stream;

const openAiEmbeddings: ProviderAdapter = {
  api: "openai",
  openAiShaped: true,
  request: (request, target, apiKey) => ({ headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, body: JSON.stringify({ ...request, model: target.model }) }),
  body: (_status, body) => {
    const usage = isObject(body) && isObject(body["usage"]) ? body["usage"] : undefined;
    return { body, ...(usage ? { usage: { inputTokens: count(usage["prompt_tokens"]), outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 } } : {}) };
  },
  stream: noStream,
};

const azureEmbeddings: ProviderAdapter = {
  ...openAiEmbeddings,
  api: "azure-openai",
  request: (request, target, apiKey, provider) => ({ headers: apiKey ? { "api-key": apiKey } : {}, body: JSON.stringify({ ...request, model: target.model }), path: embeddingsPath(provider, target.model)! }),
};

/** The texts of an input: a string or a list of strings (token arrays are OpenAI's own tokenizer's, which Gemini does not read). */
function texts(input: unknown): string[] | OpenAiError {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === "string")) return input;
  return invalidRequest("input must be a string or a list of strings for this model.", "input");
}

function geminiRequest(request: ChatRequest, target: ChatTarget, apiKey: string | undefined, provider: AiProviderIR): NativeRequest | OpenAiError {
  const inputs = texts((request as EmbeddingsRequest).input);
  if (!Array.isArray(inputs)) return inputs;
  const format = request["encoding_format"];
  if (format !== undefined && format !== "float" && format !== "base64") return invalidRequest("encoding_format must be float or base64.", "encoding_format");
  const dimensions = request["dimensions"];
  const requests = inputs.map((text) => ({ model: `models/${target.model}`, content: { parts: [{ text }] }, ...(typeof dimensions === "number" ? { outputDimensionality: dimensions } : {}) }));
  return { headers: apiKey ? { "x-goog-api-key": apiKey } : {}, body: JSON.stringify({ requests }), path: embeddingsPath(provider, target.model)! };
}

const base64 = (values: readonly number[]) => {
  const floats = new Float32Array(values);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
};

/** Gemini's vectors as OpenAI's list, encoded as the client asked (bound when the adapter is made for the request). */
export function geminiEmbeddingList(status: number, body: unknown, model: string, encoding: "float" | "base64") {
  if (status >= 400 || !isObject(body) || !Array.isArray(body["embeddings"])) return { body: geminiError(status >= 400 ? status : 502, body) };
  const data = body["embeddings"].map((embedding, index) => {
    const values = isObject(embedding) && Array.isArray(embedding["values"]) ? (embedding["values"] as number[]) : [];
    return { object: "embedding", index, embedding: encoding === "base64" ? base64(values) : values };
  });
  // batchEmbedContents reports no token counts: the usage stays unreported, and the processor records an estimate.
  return { body: { object: "list", data, model, usage: { prompt_tokens: 0, total_tokens: 0 } } };
}

/** The embeddings adapter of a provider's wire format, for this request (Gemini's answer depends on its encoding and model); undefined where the provider cannot embed. */
export function embeddingsAdapter(api: AiProviderIR["api"], request: EmbeddingsRequest, model: string): ProviderAdapter | undefined {
  if (api === "openai") return openAiEmbeddings;
  if (api === "azure-openai") return azureEmbeddings;
  if (api !== "gemini") return undefined;
  const encoding = request["encoding_format"] === "base64" ? "base64" : "float";
  return { api: "gemini", openAiShaped: false, request: geminiRequest, body: (status, body) => geminiEmbeddingList(status, body, model, encoding), stream: noStream, keyRefusal: geminiKeyRefusal };
}
