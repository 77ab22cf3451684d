/**
 * A chat request before and after its provider call, as budgets see it. Before: reserve its worst
 * case against every budget that applies (or refuse it, before any upstream call). After: settle
 * the reservation to the usage the provider reported, or, when none came (a stream cut short),
 * to an estimate: the prompt bound, and one token per streamed event (the whole answer bound for
 * an answer that was not streamed, none when the provider refused).
 */
import type { AiBudgetIR, AiModelIR, AiProviderIR } from "../../model/ir.ts";
import type { ChatRequest, Usage } from "../providers/adapter.ts";
import { type BudgetCaller, chargesFor } from "./charges.ts";
import type { Amounts, BudgetLedger, Charge, ReserveOutcome } from "./ledger.ts";
import { type Refusal, refusal } from "./refusal.ts";
import type { WindowCache } from "./windows.ts";
import { answerTokenBound, promptTokenBound, usageOf } from "./worst-case.ts";

export type Price = (provider: AiProviderIR, model: string, usage: Usage) => number | null;

/** A reservation held while the request runs. */
export interface BudgetHold {
  readonly ledger: BudgetLedger;
  readonly charges: readonly Charge[];
  readonly reserved: Amounts;
  readonly promptTokens: number;
  readonly answerTokens: number;
  /** Audit-mode budgets this request went past (it was let through). */
  readonly overruns: readonly Charge[];
}

export interface AdmissionInput {
  readonly gateway: string;
  readonly budgets: readonly AiBudgetIR[];
  readonly ledger: BudgetLedger;
  readonly windows: WindowCache;
  readonly caller: BudgetCaller;
  readonly chat: ChatRequest;
  readonly model: AiModelIR;
  readonly provider: AiProviderIR;
  readonly price: Price;
  readonly now: number;
}

export type Admission = { readonly hold?: BudgetHold } | { readonly refusal: Refusal };

const serverError = (message: string): Refusal => ({ error: { status: 500, type: "server_error", code: "budget_unpriced", message }, retryAfterSeconds: 0 });

export function admit(input: AdmissionInput): Admission | Promise<Admission> {
  const charges = chargesFor(input.gateway, input.budgets, input.caller, input.windows, input.now);
  if (charges.length === 0) return {};
  const counts = (d: "usd" | "tokens") => charges.some((charge) => charge.budget.limits[d] !== undefined);
  const promptTokens = promptTokenBound(input.chat);
  const answerTokens = answerTokenBound(input.chat, input.model, input.provider);
  if (answerTokens === undefined && (counts("usd") || counts("tokens"))) return { refusal: serverError(`The longest answer of model ${input.model.alias} is unknown, so its budget cannot be reserved; set maxTokens on the alias.`) };
  const usd = input.price(input.provider, input.model.model, usageOf(promptTokens, answerTokens ?? 0));
  if (usd === null && counts("usd")) return { refusal: serverError(`No price is known for model ${input.model.alias}, so a budget in US dollars cannot count it.`) };
  const amount: Amounts = { usd: usd ?? 0, tokens: promptTokens + (answerTokens ?? 0), requests: 1 };
  const decide = (outcome: ReserveOutcome): Admission =>
    outcome.ok
      ? { hold: { ledger: input.ledger, charges, reserved: amount, promptTokens, answerTokens: answerTokens ?? 0, overruns: outcome.overruns } }
      : { refusal: refusal(outcome.refused, outcome.dimension, outcome.used, amount, input.now) };
  const outcome = input.ledger.reserve(charges, amount, input.now);
  return outcome instanceof Promise ? outcome.then(decide) : decide(outcome);
}

export interface Answer {
  /** The provider's status; 0 when none came. */
  readonly status: number;
  readonly usage: Usage | undefined;
  readonly streamed: boolean;
  /** Events the client got of a streamed answer. */
  readonly events: number;
}

/** The usage to settle at: the provider's, or the estimate (see the file comment). */
export function settledUsage(hold: BudgetHold, answer: Answer): Usage {
  if (answer.usage) return answer.usage;
  if (answer.status >= 400) return usageOf(0, 0);
  const output = answer.streamed ? Math.min(answer.events, hold.answerTokens) : answer.status === 0 ? 0 : hold.answerTokens;
  return usageOf(hold.promptTokens, output);
}

export function settle(hold: BudgetHold, usage: Usage, usd: number | null): void {
  hold.ledger.settle(hold.charges, hold.reserved, { usd: usd ?? 0, tokens: usage.inputTokens + usage.outputTokens, requests: 1 });
}
