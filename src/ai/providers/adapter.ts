/**
 * The one interface every provider adapter implements: the OpenAI chat completion request a client
 * sent → the provider's native request, and the provider's answer (whole, streamed or an error) →
 * OpenAI's shape, with the token usage read on the way. Adapters are pure: no I/O, no clock
 * beyond `created` timestamps; the processor (src/ai/exchange.ts) drives them.
 */
import type { AiProviderIR } from "../../model/ir.ts";
import type { OpenAiError } from "../openai-errors.ts";
import type { SseEvent } from "../sse.ts";

/** An OpenAI chat completion request, checked to have a model alias and messages. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly unknown[];
  readonly stream?: boolean;
  readonly [field: string]: unknown;
}

/** What a request resolved to: the provider's model name and the alias's token cap. */
export interface ChatTarget {
  readonly model: string;
  /** `max_tokens` to send when the client names none (the alias's cap). */
  readonly maxTokens?: number;
}

export interface Usage {
  /** Every prompt token, cached ones included. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The part of inputTokens read from the provider's prompt cache. */
  readonly cachedInputTokens: number;
  /** The part of inputTokens written to the provider's prompt cache (Anthropic prices these higher). */
  readonly cacheWriteInputTokens: number;
}

/** The request as the provider takes it; the provider route sets the path (src/model/resolve-ai.ts). */
export interface NativeRequest {
  /** Headers the provider needs: the credential and any version header. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The path below the base URL where it depends on the request (upstream-path.ts); the processor names it in AI_UPSTREAM_PATH_HEADER. */
  readonly path?: string;
}

export interface StreamContext {
  /** The client asked for the final usage chunk (`stream_options.include_usage`). */
  readonly clientWantsUsage: boolean;
}

/** Turns one streamed answer, event by event, into OpenAI chat.completion.chunk events. */
export interface StreamTranslator {
  /** The event-stream text to send the client for this provider event (often empty). */
  event(event: SseEvent): string;
  /** Text to send when the provider's stream ends. */
  end(): string;
  usage(): Usage | undefined;
}

/** Splits a streamed answer, chunk by chunk, into events (for server-sent events: src/ai/sse.ts's SseParser). */
export interface StreamDecoder {
  push(chunk: Uint8Array, end: boolean): SseEvent[];
}

/**
 * How a provider that refuses a key with another status than 401 says so (Gemini: 400 with reason
 * API_KEY_INVALID): the status, and whether an error body with it is such a refusal. Pooled keys
 * and fallbacks move on from it as from a 401.
 */
export interface KeyRefusal {
  readonly status: number;
  refused(body: unknown): boolean;
}

export interface ProviderAdapter {
  readonly api: AiProviderIR["api"];
  /** The provider answers in OpenAI's shape already: whole bodies pass through unchanged and are only read. */
  readonly openAiShaped: boolean;
  /** The native request with the credential, or an OpenAI-shaped 400 when the request cannot be expressed. */
  request(chat: ChatRequest, target: ChatTarget, apiKey: string | undefined, provider: AiProviderIR): NativeRequest | OpenAiError;
  /** A whole answer or error (parsed JSON, or the text when it is not JSON) → the OpenAI body, and the usage. */
  body(status: number, body: unknown): { readonly body: unknown; readonly usage?: Usage };
  stream(context: StreamContext): StreamTranslator;
  /** A provider that streams something else than server-sent events (Bedrock: the AWS event stream): its content type and decoder. */
  readonly streamFormat?: { readonly contentType: string; decoder(): StreamDecoder };
  readonly keyRefusal?: KeyRefusal;
}
