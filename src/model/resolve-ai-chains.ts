/**
 * The attempt chains of the `ai` section's aliases (src/ai/routing/chains.ts): one per target a
 * request can start with and endpoint it can use, where that request may take more than one
 * attempt (other targets, fallbacks, pooled keys). Chains with the same attempts are one.
 */
import { PROVIDER_ENDPOINTS, planFor, serves } from "../ai/routing/chains.ts";
import type { AiChainIR, AiModelIR, AiProviderIR } from "./ir.ts";

export function resolveChains(models: readonly AiModelIR[], providers: ReadonlyMap<string, AiProviderIR>, timeoutMs: (provider: string) => number): AiChainIR[] {
  const chains = new Map<string, AiChainIR>();
  for (const model of models) {
    const first = providers.get(model.provider)!;
    for (const [index, target] of model.targets.entries()) {
      // A target of weight 0 never starts a request: it is only tried after the one that did.
      if (target.weight === 0) continue;
      // The endpoints the alias serves at all: its first target's (src/ai/embeddings-request.ts, messages-request.ts).
      for (const endpoint of PROVIDER_ENDPOINTS.filter((endpoint) => serves(endpoint, first.api))) {
        const { attempts, chain } = planFor(model, index, endpoint, providers);
        if (!chain) continue;
        const known = chains.get(chain);
        const timeout = Math.max(...attempts.map((attempt) => timeoutMs(attempt.provider)));
        chains.set(chain, {
          name: chain,
          endpoints: [...new Set([...(known?.endpoints ?? []), endpoint])],
          attempts,
          timeoutMs: timeout,
          ...(model.attemptTimeoutMs !== undefined ? { attemptTimeoutMs: model.attemptTimeoutMs } : {}),
        });
      }
    }
  }
  return [...chains.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
