import type { AttemptOutcome } from "./routing/routing-state.ts";

/** The AI endpoints whose requests are recorded, as `portcullis usage --by endpoint` names them. */
export type UsageEndpoint = "chat" | "embeddings" | "messages" | "responses" | "prompt";

/** One AI request as recorded for `portcullis usage`: who, which model, how many tokens, what it cost. */

export interface UsageRecord {
  /** When the request reached the processor, ISO 8601 UTC. */
  readonly time: string;
  readonly gateway: string;
  readonly requestId: string;
  /** The identity whose access rule admitted the caller, its subject, API-key consumer and team, where known. */
  readonly identity?: string;
  readonly subject?: string;
  readonly consumer?: string;
  readonly team?: string;
  /** What the client called: chat completions, embeddings, Anthropic Messages, the Responses API, or a prompt API. */
  readonly endpoint: UsageEndpoint;
  readonly alias: string;
  /** The prompt API called, when a prompt made the request (its alias is the prompt's). */
  readonly prompt?: string;
  readonly provider: string;
  /** The provider's model name the request was sent with. */
  readonly model: string;
  /** The target picked for the request by weight; provider and model above are the attempt that answered. */
  readonly target?: { readonly provider: string; readonly model: string };
  /** Every attempt of a request that could take several (fallbacks, pooled keys), in order. */
  readonly attempts?: readonly AttemptOutcome[];
  readonly stream: boolean;
  /** The HTTP status the provider answered with; 0 when the exchange ended before it answered. */
  readonly status: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteInputTokens: number;
  /** Whether the provider reported the counts (false: the answer ended without usage; under a budget the counts are then its estimate, else 0). */
  readonly usageReported: boolean;
  /** US dollars, or null when the model has no known price. */
  readonly costUsd: number | null;
  /** From the request reaching the processor to the end of the answer. */
  readonly durationMs: number;
}

/** Where usage records go (the SQLite store, or a test's array). Must not throw or block for long. */
export interface UsageSink {
  record(entry: UsageRecord): void;
}
