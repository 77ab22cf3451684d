/**
 * What budgets count and the one interface both counter stores implement (in the processor's
 * memory, or in Redis for several replicas): reserve a request's worst case against every budget
 * that applies, all or nothing, then settle it to what the request really used.
 */
import type { AiBudgetIR } from "../../model/ir.ts";
import type { Window } from "./windows.ts";

/** What one request uses (or may use): dollars, tokens, and itself. */
export interface Amounts {
  readonly usd: number;
  readonly tokens: number;
  readonly requests: number;
}

export const DIMENSIONS = ["usd", "tokens", "requests"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const NOTHING: Amounts = { usd: 0, tokens: 0, requests: 0 };

/** One budget's counter that a request is charged to: the budget, whose allowance (member), which window. */
export interface Charge {
  readonly gateway: string;
  readonly budget: AiBudgetIR;
  /** The identity, subject, consumer or team; `*` for a global budget. */
  readonly member: string;
  readonly window: Window;
}

export type ReserveOutcome =
  | { readonly ok: true; /** Audit-mode budgets this request goes past (it is let through). */ readonly overruns: readonly Charge[] }
  | { readonly ok: false; readonly refused: Charge; readonly dimension: Dimension; /** Spent and reserved before this request. */ readonly used: number };

/** A counter as `portcullis usage --budgets` shows it. */
export interface BudgetState {
  readonly gateway: string;
  readonly budget: string;
  readonly member: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The budget's limits when the counter was last charged. */
  readonly limits: AiBudgetIR["limits"];
  readonly spent: Amounts;
  readonly reserved: Amounts;
  /** Requests an audit-mode budget let through past its limit. */
  readonly overruns: number;
}

export interface BudgetLedger {
  /** Atomic: either every charge takes the amount, or none does and the first budget that refused is named. */
  reserve(charges: readonly Charge[], amount: Amounts, now: number): ReserveOutcome | Promise<ReserveOutcome>;
  /** Moves a reservation to spent at what the request really used. Never throws (a failed write is logged). */
  settle(charges: readonly Charge[], reserved: Amounts, actual: Amounts): void;
  close(): Promise<void>;
}

/** Whether adding `amount` to what a counter holds goes past one of the budget's limits, and which. */
export function exceeded(limits: AiBudgetIR["limits"], held: (dimension: Dimension) => number, amount: Amounts): { dimension: Dimension; used: number } | undefined {
  for (const dimension of DIMENSIONS) {
    const limit = limits[dimension];
    if (limit === undefined) continue;
    const used = held(dimension);
    if (used + amount[dimension] > limit) return { dimension, used };
  }
  return undefined;
}

/** The counter's key: one per gateway, budget, member and window. */
export const chargeKey = (charge: Charge): string => JSON.stringify([charge.gateway, charge.budget.name, charge.member, charge.window.start]);
