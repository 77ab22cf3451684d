/** The ai and prompts sections: the OpenAI-style AI gateway, model aliases, budgets and prompt APIs. */

import type { Access } from "./apis.ts";

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
  /** Spending and token budgets. */
  budgets?: Budget[];
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
   * Where requests for this model go; traffic is split by weight.
   * @minItems 1
   */
  targets: ModelTarget[];
  /** Tried in order when every target fails or is over budget. */
  fallbacks?: ModelTarget[];
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
   * Share of traffic, relative to the other targets.
   * @default 1
   * @minimum 0
   */
  weight?: number;
}

export interface Budget {
  /**
   * Budget name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Who the budget applies to: each identity subject, each consumer, each team, or everyone together. */
  scope: "identity" | "consumer" | "team" | "global";
  /**
   * Spending limit in US dollars per period.
   * @minimum 0
   */
  usd?: number;
  /**
   * Token limit (prompt + completion) per period.
   * @asType integer
   * @minimum 0
   */
  tokens?: number;
  /** The period after which the budget resets. */
  period: "day" | "month";
}

/** A prompt template published as a REST endpoint. */
export interface PromptApi {
  /**
   * Prompt API name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Path of the endpoint (called with POST), e.g. `/prompts/summarize`. */
  path: string;
  /** Model alias from `ai.models`. */
  model: string;
  /** Template with `{{field}}` placeholders filled from the request body. */
  template: string;
  /** JSON Schema the request body must satisfy. */
  input: Record<string, unknown>;
  /** Who may call the endpoint. */
  access: Access;
}
