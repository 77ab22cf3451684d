/** The AI gateway part of the IR: its routes, providers, models, chains, budgets and prompts. */
import type { SecretValue } from "../secret-value.ts";

/** What an AI route is: which endpoint of the OpenAI-style API, and for provider routes, the provider. */
export interface AiRouteIR {
  /** `responses`: the OpenAI Responses API, which the processor serves as a chat request on the chat routes. */
  readonly endpoint: "chat" | "embeddings" | "messages" | "models" | "responses";
  /** Provider routes: the processor selects one by setting the provider header (ai.routeHeader) and clearing the route cache. */
  readonly provider?: string;
  /** Chain routes: the same, for a request that may take several attempts (AiChainIR); the header names the chain. */
  readonly chain?: string;
  /** Routes of a prompt API (its name): the processor builds the chat request from the prompt (src/ai/prompts). */
  readonly prompt?: string;
}

/** The AI gateway: an OpenAI-style API in front of model providers, served by the AI processor. */
export interface AiIR {
  /** Path of the OpenAI-style API, e.g. `/ai/v1`. */
  readonly basePath: string;
  /** Where Envoy reaches the processor, and the cluster that points there. */
  readonly processor: { readonly address: AiProcessorAddressIR; readonly cluster: string };
  /** The request header the processor sets to pick a provider route; removed from client requests. */
  readonly routeHeader: string;
  /** Model aliases clients name, sorted by alias. */
  readonly models: readonly AiModelIR[];
  /** The LLM providers the aliases use, sorted by name. */
  readonly providers: readonly AiProviderIR[];
  /** Budgets and per-minute rate limits, in config order (budgets first); a request must fit every one that applies. */
  readonly budgets: readonly AiBudgetIR[];
  /** Where the counters live: in the processor (written behind to its SQLite file) or in a Redis server replicas share. */
  readonly budgetStore: AiBudgetStoreIR;
  /** The attempt chains requests with fallbacks or pooled keys take, sorted by name; each is a cluster and a route per endpoint. */
  readonly chains: readonly AiChainIR[];
  /** Prompt APIs (the `prompts` section), sorted by path. */
  readonly prompts: readonly AiPromptIR[];
}

/** A prompt published as a POST endpoint: the body checked against `input`, the template filled, the alias asked. */
export interface AiPromptIR {
  readonly name: string;
  readonly path: string;
  /** The model alias asked. */
  readonly model: string;
  readonly template: string;
  readonly system?: string;
  /** JSON Schema of the request body, closed (`additionalProperties: false`) unless the config set it. */
  readonly input: Readonly<Record<string, unknown>>;
  /** JSON Schema the answer, parsed as JSON, must satisfy. */
  readonly output?: Readonly<Record<string, unknown>>;
  readonly maxTokens?: number;
  /** Whether every provider the alias may reach takes a JSON schema as response_format (then the request asks for one). */
  readonly jsonSchemaMode: boolean;
}

/**
 * The attempts one request may take, in order: Envoy retries through them (one priority of the
 * chain's cluster each), and the processor translates and signs the request for each attempt's
 * provider, model and key (src/ai/routing).
 */
export interface AiChainIR {
  /** `portcullis_ai_chain_<hash of the attempts>`: the cluster's name and the route header's value. */
  readonly name: string;
  readonly endpoints: readonly ("chat" | "embeddings" | "messages")[];
  readonly attempts: readonly AiAttemptIR[];
  /** The longest request timeout of the attempts' providers: the route's, covering every attempt. */
  readonly timeoutMs: number;
  /** Each attempt's time to start answering (the alias's attemptTimeout). */
  readonly attemptTimeoutMs?: number;
}

export interface AiAttemptIR {
  readonly provider: string;
  readonly model: string;
  /** Which of the provider's keys, in the order the request takes them (0: its first). */
  readonly keySlot: number;
}

/** A budget or rate limit: what it counts, per whom, over which calendar window, and whether it refuses. */
export interface AiBudgetIR {
  readonly name: string;
  /** `rate-limit`: from ai.rateLimits (period `minute`). */
  readonly kind: "budget" | "rate-limit";
  readonly scope: "global" | "identity" | "subject" | "consumer" | "team";
  /** Only these members of the scope, each counted apart; absent: every one. */
  readonly only?: readonly string[];
  /** Limits per window; at least one is set. */
  readonly limits: { readonly usd?: number; readonly tokens?: number; readonly requests?: number };
  readonly period: "minute" | "day" | "week" | "month";
  /** IANA time zone of the calendar (UTC for minutes). */
  readonly timeZone: string;
  readonly mode: "block" | "audit";
}

export type AiBudgetStoreIR = { readonly kind: "memory" } | { readonly kind: "redis"; readonly url: SecretValue; readonly keyPrefix: string };

/** A loopback IP and port, or a unix socket (an absolute path). */
export type AiProcessorAddressIR = { readonly kind: "tcp"; readonly host: string; readonly port: number } | { readonly kind: "unix"; readonly path: string };

export interface AiTargetIR {
  readonly provider: string;
  readonly model: string;
  readonly weight: number;
}

export interface AiModelIR {
  readonly alias: string;
  /** The first target's provider (a request's own target: src/ai/routing/pick.ts). */
  readonly provider: string;
  /** The first target's model name at its provider. */
  readonly model: string;
  /** Every target, in config order, with its weight; a request starts with one picked by weight. */
  readonly targets: readonly AiTargetIR[];
  /** Tried in order after the targets. */
  readonly fallbacks: readonly AiTargetIR[];
  /** Each attempt's time to start answering before the next is tried; absent: no limit but the provider's request timeout. */
  readonly attemptTimeoutMs?: number;
  /** Largest `max_tokens` a client may ask for; also what is sent when the client names none. */
  readonly maxTokens?: number;
}

export interface AiProviderIR {
  readonly name: string;
  /** The provider's type from the config (the OpenAI type also takes OpenAI's newer parameter names). */
  readonly type: "openai" | "openai-compatible" | "anthropic" | "gemini" | "azure-openai" | "bedrock";
  /** The wire format the provider speaks. */
  readonly api: "openai" | "anthropic" | "gemini" | "azure-openai" | "bedrock";
  /** The provider's cluster (named after the provider). */
  readonly cluster: string;
  /** Who prices its models in the model catalog (src/ai/catalog.ts); absent when the catalog does not know the provider. */
  readonly catalog?: string;
  /** The provider's key, injected by the processor; absent for keyless OpenAI-compatible servers. Never printed. */
  readonly apiKey?: SecretValue;
  /** A pool of keys instead (two or more): each request starts with the next, and a 401 or 429 moves the attempt on to another. Never printed. */
  readonly apiKeys?: readonly SecretValue[];
  /** Where a chain's attempt is sent (the processor sets them per attempt): the Host header and the base URL's path. Always set by the compiler. */
  readonly upstream?: { readonly host: string; readonly pathPrefix: string };
  /** Azure OpenAI: the api-version every request carries, and the deployment of each model (default: the model's name). */
  readonly azure?: { readonly apiVersion: string; readonly deployments: Readonly<Record<string, string>> };
  /** AWS Bedrock: what requests are signed (SigV4) for and with: the Host and path prefix Envoy sends, the region and the credentials. */
  readonly aws?: AiAwsSigningIR;
}

export interface AiAwsSigningIR {
  readonly region: string;
  /** The Host header the provider route sends, which the signature covers. */
  readonly host: string;
  /** The base URL's path, before `/model/...`. */
  readonly pathPrefix: string;
  readonly accessKeyId: SecretValue;
  readonly secretAccessKey: SecretValue;
  readonly sessionToken?: SecretValue;
}
