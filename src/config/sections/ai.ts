/** The ai and prompts sections: the OpenAI-style AI gateway, model aliases, budgets and prompt APIs. */

import type { Access } from "./apis.ts";
import type { Duration, SecretRef } from "./common.ts";

export interface AiGateway {
  /**
   * Path of the OpenAI-style API (`{basePath}/chat/completions`, `{basePath}/models`, ...).
   * @default "/ai/v1"
   * @pattern ^/[A-Za-z0-9._~/-]*$
   */
  basePath?: string;
  /** Who may call the AI gateway. */
  access: Access;
  /** Model names clients ask for, mapped to providers. */
  models: Record<string, ModelAlias>;
  /**
   * Spending and token budgets. A request must fit every budget that applies to its caller: before
   * the provider is called, the processor reserves the request's worst case (prompt estimate plus
   * its largest possible answer, times the model's price) against each, and answers 429 when one
   * would be exceeded; the reservation is settled to the real usage when the answer ends.
   */
  budgets?: Budget[];
  /** Token-per-minute and request-per-minute limits per consumer or team (429 with Retry-After past them). */
  rateLimits?: AiRateLimit[];
  /**
   * Where budget and rate-limit counters live. Absent: in the processor's memory, written behind
   * to its SQLite file (`--usage-db`) and reloaded when it starts. With `redis`, every processor
   * replica of the fleet shares them, reserving atomically.
   */
  budgetStore?: BudgetStore;
  /** Where Envoy reaches the AI processor (`portcullis serve`, `up` or `processor` runs it). */
  processor?: AiProcessorSettings;
}

export interface AiProcessorSettings {
  /**
   * Where the AI processor listens and Envoy connects: a loopback `host:port`, or `unix:` and the
   * absolute path of a socket. The processor runs beside each Envoy, so prompts, answers and the
   * provider keys it injects never cross the network. Any local user can connect to a loopback
   * port; only the processor's user (and an Envoy running as that user) can open the socket, so
   * prefer a socket on hosts that other users share.
   * @default "127.0.0.1:18001"
   * @example "unix:/run/portcullis/ai.sock"
   */
  address?: string;
}

export interface ModelAlias {
  /**
   * Where requests for this model go. Each request goes to one target, picked by weight from its
   * request id (so the split holds over many requests, and one request always picks the same);
   * when that target fails before answering, the other targets are tried in order, then `fallbacks`.
   * @minItems 1
   */
  targets: ModelTarget[];
  /**
   * Tried in order when every target failed before the first byte of its answer reached the
   * client: a 429, a 5xx, a refused or failed connection, or no answer within `attemptTimeout`.
   * Envoy makes every attempt; the processor translates the request and injects the credential
   * for each attempt's provider. An answer that has started is never retried: a stream that
   * breaks reaches the client as the error it is.
   */
  fallbacks?: ModelTarget[];
  /**
   * How long each attempt may wait for the provider to start answering before the next target or
   * fallback is tried. A non-streamed answer starts only when it is complete, so allow for the
   * longest one. Absent: an attempt may take the provider's whole request timeout, and one that
   * runs out is not retried.
   * @example "20s"
   */
  attemptTimeout?: Duration;
  /**
   * Largest `max_tokens` a client may ask for.
   * @asType integer
   * @minimum 1
   */
  maxTokens?: number;
}

export interface ModelTarget {
  /** Name of an LLM provider from `providers`. */
  provider: string;
  /** The provider's model name, e.g. `gpt-4o-mini` or `claude-sonnet-4-5`. */
  model: string;
  /**
   * Share of the alias's requests this target gets first, relative to the other targets' weights
   * (fallbacks have none: they are tried in order). A target of weight 0 is only tried after the
   * target picked for a request failed.
   * @default 1
   * @minimum 0
   */
  weight?: number;
}

export interface Budget {
  /**
   * Budget name, shown in the 429 a caller gets and in `portcullis usage --budgets`.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /**
   * Whose requests the budget counts together: `global` all of them; `identity` each identity
   * (from `identities`) that admitted the caller; `subject` each verified subject (a JWT's `sub`);
   * `consumer` each API-key consumer; `team` each consumer team. Callers without one (e.g. no
   * team) are not bound by that budget. Read from the identity headers the gateway itself sets
   * after verifying the caller, never from anything a client sends.
   */
  scope: "identity" | "subject" | "consumer" | "team" | "global";
  /**
   * Only these identities, subjects, consumers or teams (by `scope`), each with an allowance of
   * its own; absent: every one of them. Not for `global`.
   * @minItems 1
   */
  only?: string[];
  /**
   * Spending limit in US dollars per period, priced from the model catalog.
   * @minimum 0
   */
  usd?: number;
  /**
   * Token limit (prompt + completion) per period.
   * @asType integer
   * @minimum 0
   */
  tokens?: number;
  /**
   * The calendar period after which the budget resets: a day from midnight, a week from Monday
   * midnight, a month from midnight on its first day, in `timeZone`.
   */
  period: "day" | "week" | "month";
  /**
   * The IANA time zone whose calendar the periods follow, e.g. `Europe/Paris`.
   * @default "UTC"
   */
  timeZone?: string;
  /**
   * `block` refuses a request that would exceed the budget (429, before any provider call);
   * `audit` lets it through and records the overrun (logged, and counted in `portcullis usage --budgets`).
   * @default "block"
   */
  mode?: "block" | "audit";
}

export interface AiRateLimit {
  /**
   * Limit name, shown in the 429 a caller gets and in `portcullis usage --budgets`.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Counted per API-key consumer, or per consumer team (callers without a team are not bound). */
  scope: "consumer" | "team";
  /**
   * Only these consumers or teams, each with a limit of its own; absent: every one of them.
   * @minItems 1
   */
  only?: string[];
  /**
   * Tokens (prompt + completion) per calendar minute; a request reserves its worst case until its answer ends.
   * @asType integer
   * @minimum 1
   */
  tokensPerMinute?: number;
  /**
   * Requests per calendar minute.
   * @asType integer
   * @minimum 1
   */
  requestsPerMinute?: number;
}

export interface BudgetStore {
  /**
   * URL of the Redis server every processor replica shares, `redis://[user:password@]host:port[/db]`
   * or `rediss://` for TLS, read by the processor from an environment variable or a file (it may hold a password).
   */
  redis: SecretRef;
  /**
   * Prefix of the keys the counters are stored under, so several gateways can share one server.
   * @default "portcullis:budget:"
   * @pattern ^[A-Za-z0-9:_.-]{1,64}$
   */
  keyPrefix?: string;
}

/**
 * A prompt template published as a REST endpoint: callers POST a JSON body that `input` checks,
 * the gateway fills `template` with its fields and asks `model`, and answers `{ "output": … }`.
 * Callers cannot change the template, the system prompt or the model.
 */
export interface PromptApi {
  /**
   * Prompt API name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Path of the endpoint (called with POST; other methods get 405), e.g. `/prompts/summarize`. */
  path: string;
  /** Model alias from `ai.models`: its targets, fallbacks, keys, usage records and budgets apply. */
  model: string;
  /**
   * The user message, with `{{field}}` placeholders filled from the request body's top-level
   * fields: strings as written, other values as JSON, a field the caller left out as nothing.
   * Filled once: a placeholder inside a value is sent as text, never filled again. Every
   * placeholder must be a property `input` declares.
   * @example "Summarize in {{words}} words:\n\n{{text}}"
   */
  template: string;
  /**
   * The system message sent before the filled template, as written (no placeholders).
   * @example "You are a careful editor. Answer with the summary only."
   */
  system?: string;
  /**
   * JSON Schema (draft 2020-12) the request body must satisfy, else 400 with the schema errors.
   * Its top level must be `type: "object"`; fields it does not declare are refused unless it sets
   * `additionalProperties` itself.
   */
  input: Record<string, unknown>;
  /**
   * JSON Schema (draft 2020-12) of the answer: the model's answer is parsed as JSON (a Markdown
   * code fence around it is allowed) and must satisfy it, else 502 with the schema errors; the
   * parsed value is the `output`. Where every provider of the alias takes a JSON schema (OpenAI,
   * OpenAI-compatible, Azure OpenAI, Gemini), the request asks for JSON of this schema. Absent:
   * `output` is the answer's text.
   */
  output?: Record<string, unknown>;
  /**
   * Largest answer in tokens (`max_tokens` of the chat request), at most the alias's `maxTokens`.
   * Absent: the alias's `maxTokens`, if any.
   * @asType integer
   * @minimum 1
   */
  maxTokens?: number;
  /** Who may call the endpoint (deny by default, like any route). */
  access: Access;
}
