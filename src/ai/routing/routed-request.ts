/**
 * A resolved AI request and the attempts it may take: the target picked for it by weight, its
 * chain (when it has more than one attempt), each attempt's translation with its provider's key
 * (pooled keys in the order this request takes them), and how each attempt ended. The exchange
 * (../exchange.ts) drives it for the client's stream; AttemptExchange for each attempt's.
 */
import type { AiAttemptIR, AiModelIR, AiProviderIR } from "../../model/ir.ts";
import type { SecretValue } from "../../model/secret-value.ts";
import type { AiGatewayRuntime } from "../gateways.ts";
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, NativeRequest, ProviderAdapter } from "../providers/adapter.ts";
import { KEY_REFUSED_STATUS, type Plan, planFor, type ProviderEndpoint } from "./chains.ts";
import { pickTarget } from "./pick.ts";
import type { AttemptOutcome, AttemptRequest, ChainedRequest, RoutingState } from "./routing-state.ts";
import { attemptPath } from "./upstream-paths.ts";

/** The adapter that speaks an endpoint's request to a provider, or undefined where it cannot. */
export type AdapterFor = (provider: AiProviderIR, model: string) => ProviderAdapter | undefined;

export interface RoutedRequestInput {
  readonly runtime: AiGatewayRuntime;
  readonly routing: RoutingState;
  readonly endpoint: ProviderEndpoint;
  readonly chat: ChatRequest;
  /** The alias as compiled. */
  readonly alias: AiModelIR;
  readonly requestId: string;
  readonly adapterFor: AdapterFor;
  readonly now: () => number;
}

const keysOf = (provider: AiProviderIR): readonly SecretValue[] => provider.apiKeys ?? (provider.apiKey ? [provider.apiKey] : []);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class RoutedRequest implements ChainedRequest {
  readonly #input: RoutedRequestInput;
  /** The index in the alias's targets of the one this request started with. */
  readonly first: number;
  readonly plan: Plan;
  /** The attempt whose answer the client gets: the last one started. */
  #current = 0;
  readonly #outcomes = new Map<number, AttemptOutcome>();
  /** Headers earlier attempts set: Envoy keeps them for the next attempt unless it removes them. */
  readonly #sentHeaders = new Set<string>();
  /** Per pooled provider: the order in which this request takes its keys. */
  readonly #keyOrders = new Map<string, number[]>();

  constructor(input: RoutedRequestInput) {
    this.#input = input;
    this.first = pickTarget(input.alias, input.requestId);
    this.plan = planFor(input.alias, this.first, input.endpoint, input.runtime.providers);
  }

  /** The attempt whose answer the client gets (before any attempt started: the first). */
  get current(): { readonly attempt: AiAttemptIR; readonly provider: AiProviderIR; readonly alias: AiModelIR; readonly adapter: ProviderAdapter } {
    const attempt = this.plan.attempts[this.#current]!;
    const provider = this.#input.runtime.providers.get(attempt.provider)!;
    return { attempt, provider, alias: { ...this.#input.alias, provider: attempt.provider, model: attempt.model }, adapter: this.#input.adapterFor(provider, attempt.model)! };
  }

  get chat(): ChatRequest {
    return this.#input.chat;
  }

  /** The alias as compiled. */
  get alias(): AiModelIR {
    return this.#input.alias;
  }

  /** The target the request was picked for (what the usage record calls its target). */
  get target(): { readonly provider: string; readonly model: string } {
    const { provider, model } = this.#input.alias.targets[this.first]!;
    return { provider, model };
  }

  /** Every attempt that started, in order. */
  outcomes(): AttemptOutcome[] {
    return [...this.#outcomes.entries()].sort(([a], [b]) => a - b).map(([, outcome]) => outcome);
  }

  /** The native request of attempt `index` (the only one, or the first of a chain, checked before any call). */
  translate(index: number): (NativeRequest & { readonly keyIndex?: number }) | OpenAiError {
    const { chat, alias, runtime, routing, now } = this.#input;
    const attempt = this.plan.attempts[index]!;
    const provider = runtime.providers.get(attempt.provider)!;
    const keys = keysOf(provider);
    let keyIndex: number | undefined;
    if (keys.length > 1) {
      let order = this.#keyOrders.get(provider.name);
      if (!order) this.#keyOrders.set(provider.name, (order = routing.keys.order(`${runtime.name}/${provider.name}`, keys, now())));
      keyIndex = order[attempt.keySlot % order.length]!;
    }
    const secret = keys[keyIndex ?? 0];
    const key = secret ? decoder.decode(secret.reveal()).trim() : undefined;
    const adapter = this.#input.adapterFor(provider, attempt.model)!;
    const native = adapter.request(chat, { model: attempt.model, ...(alias.maxTokens ? { maxTokens: alias.maxTokens } : {}) }, key || undefined, provider);
    return "status" in native ? native : { ...native, ...(keyIndex !== undefined ? { keyIndex } : {}) };
  }

  startAttempt(index: number): AttemptRequest | OpenAiError {
    const attempt = this.plan.attempts[index];
    if (!attempt) return { status: 500, type: "server_error", message: "The gateway's routes and its processor disagree about this model's attempts; retry after the configuration settles." };
    const native = this.translate(index);
    if ("status" in native) return native;
    this.#current = index;
    this.#outcomes.set(index, { provider: attempt.provider, model: attempt.model, ...(native.keyIndex !== undefined ? { key: native.keyIndex + 1 } : {}), status: 0 });
    const provider = this.#input.runtime.providers.get(attempt.provider)!;
    const remove = [...this.#sentHeaders].filter((name) => !(name in native.headers));
    for (const name of Object.keys(native.headers)) this.#sentHeaders.add(name);
    const keyRefusal = this.#input.adapterFor(provider, attempt.model)?.keyRefusal;
    return {
      headers: native.headers,
      remove,
      body: encoder.encode(native.body),
      path: attemptPath(provider, this.#input.endpoint, native.path),
      host: provider.upstream?.host ?? "",
      ...(keyRefusal ? { keyRefusal } : {}),
    };
  }

  attemptAnswered(index: number, status: number): void {
    const outcome = this.#outcomes.get(index);
    if (!outcome) return;
    this.#outcomes.set(index, { ...outcome, status });
    const provider = this.#input.runtime.providers.get(outcome.provider);
    // A key the provider refuses is left out of the turn for a while (key-pool.ts); a 429 only moves this request on.
    if (status === KEY_REFUSED_STATUS && provider && outcome.key !== undefined) this.#input.routing.keys.bench(keysOf(provider)[outcome.key - 1]!, this.#input.now());
  }

  attemptUnanswered(index: number): void {
    const outcome = this.#outcomes.get(index);
    if (outcome && outcome.status === 0) this.#outcomes.set(index, { ...outcome, reason: "no-answer" });
  }
}
