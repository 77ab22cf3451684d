/**
 * The attempts a request may take: the target picked for it, the alias's other targets in
 * config order, then its fallbacks; each as many times as its provider has keys (one attempt per
 * key). Only targets whose provider serves the endpoint take part (embeddings: OpenAI, Azure
 * OpenAI, Gemini; the Anthropic Messages passthrough: Anthropic). A list of more than one attempt
 * is a chain: the compiler makes it a cluster and routes (src/xds/ai-chain-cluster.ts), and the
 * processor names it to Envoy; both derive it from the IR with these functions, so they agree.
 */
import { createHash } from "node:crypto";
import type { AiAttemptIR, AiModelIR, AiProviderIR, AiTargetIR } from "../../model/ir.ts";

/**
 * The status of a provider refusing a key: Envoy retries a chain's attempt on it with the next key,
 * the key leaves the turn for a while, and the processor turns a provider's own way of saying so
 * (Gemini's 400 API_KEY_INVALID) into it.
 */
export const KEY_REFUSED_STATUS = 401;

export type ProviderEndpoint = "chat" | "embeddings" | "messages";
export const PROVIDER_ENDPOINTS: readonly ProviderEndpoint[] = ["chat", "embeddings", "messages"];

const SERVES: Readonly<Record<ProviderEndpoint, (api: AiProviderIR["api"]) => boolean>> = {
  chat: () => true,
  embeddings: (api) => api === "openai" || api === "azure-openai" || api === "gemini",
  messages: (api) => api === "anthropic",
};

/** Whether a provider of this wire format serves the endpoint. */
export const serves = (endpoint: ProviderEndpoint, api: AiProviderIR["api"]): boolean => SERVES[endpoint](api);

/** How many keys a provider's requests take turns with: its pool, or its one key (or none). */
export const keyCount = (provider: Pick<AiProviderIR, "apiKeys">): number => Math.max(provider.apiKeys?.length ?? 1, 1);

/** The attempts of a request for `model` that starts with its target `first`, at `endpoint`. */
export function attemptsFor(model: AiModelIR, first: number, endpoint: ProviderEndpoint, providers: ReadonlyMap<string, AiProviderIR>): AiAttemptIR[] {
  const order: AiTargetIR[] = [model.targets[first]!, ...model.targets.filter((_, index) => index !== first), ...model.fallbacks];
  return order.flatMap((target) => {
    const provider = providers.get(target.provider);
    if (!provider || !serves(endpoint, provider.api)) return [];
    return Array.from({ length: keyCount(provider) }, (_, keySlot) => ({ provider: target.provider, model: target.model, keySlot }));
  });
}

/** The chain's name: its attempts and attempt timeout, hashed, so identical chains are one cluster and unrelated edits rename none. */
export function chainName(attempts: readonly AiAttemptIR[], attemptTimeoutMs: number | undefined): string {
  const text = JSON.stringify({ attempts: attempts.map((a) => [a.provider, a.model, a.keySlot]), attemptTimeoutMs: attemptTimeoutMs ?? null });
  return `portcullis_ai_chain_${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
}

/** A request's attempts, and its chain's name when there is more than one. */
export interface Plan {
  readonly attempts: readonly AiAttemptIR[];
  readonly chain?: string;
}

const plans = new WeakMap<AiModelIR, Map<string, Plan>>();

/** attemptsFor and chainName, worked out once per compiled alias, target and endpoint. */
export function planFor(model: AiModelIR, first: number, endpoint: ProviderEndpoint, providers: ReadonlyMap<string, AiProviderIR>): Plan {
  let byKey = plans.get(model);
  if (!byKey) plans.set(model, (byKey = new Map()));
  const key = `${first}:${endpoint}`;
  let plan = byKey.get(key);
  if (!plan) {
    const attempts = attemptsFor(model, first, endpoint, providers);
    plan = attempts.length > 1 ? { attempts, chain: chainName(attempts, model.attemptTimeoutMs) } : { attempts };
    byKey.set(key, plan);
  }
  return plan;
}
