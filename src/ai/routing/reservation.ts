/**
 * What budgets reserve for a request that may take several attempts: its worst case over every
 * target it may reach. The answer bound is the longest of theirs and the price the dearest, so
 * whichever target answers, the settled cost (priced for that target) is never above what was
 * reserved, and a budget is never overshot by a fallback.
 */
import type { AiAttemptIR, AiModelIR, AiProviderIR } from "../../model/ir.ts";
import type { Price } from "../budgets/admission.ts";
import { answerTokenBound } from "../budgets/worst-case.ts";
import type { ChatRequest } from "../providers/adapter.ts";

export interface Reservation {
  readonly model: AiModelIR;
  readonly provider: AiProviderIR;
  readonly price: Price;
}

export function reservationFor(chat: ChatRequest, alias: AiModelIR, attempts: readonly AiAttemptIR[], providers: ReadonlyMap<string, AiProviderIR>, price: Price): Reservation {
  const seen = new Set<string>();
  const targets = attempts.flatMap((attempt) => {
    const key = `${attempt.provider}\0${attempt.model}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ model: { ...alias, provider: attempt.provider, model: attempt.model }, provider: providers.get(attempt.provider)! }];
  });
  if (targets.length === 1) return { ...targets[0]!, price };
  // An unknown bound is the worst of all: admission then refuses rather than reserve too little.
  const bound = (target: (typeof targets)[number]) => answerTokenBound(chat, target.model, target.provider) ?? Number.POSITIVE_INFINITY;
  const longest = targets.reduce((worst, target) => (bound(target) > bound(worst) ? target : worst));
  const dearest: Price = (_provider, _model, usage) => {
    let most = 0;
    for (const target of targets) {
      const usd = price(target.provider, target.model.model, usage);
      if (usd === null) return null;
      most = Math.max(most, usd);
    }
    return most;
  };
  return { ...longest, price: dearest };
}
