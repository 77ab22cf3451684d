/**
 * Which budgets a request is charged to: every budget whose scope the verified caller has a member
 * of (the identity, subject, consumer or team the gateway's own identity headers name) and, when
 * the budget lists `only` some, one of those; global budgets always. Each in its current window.
 */
import type { AiBudgetIR } from "../../model/ir.ts";
import type { Charge } from "./ledger.ts";
import type { WindowCache } from "./windows.ts";

export interface BudgetCaller {
  readonly identity?: string;
  readonly subject?: string;
  readonly consumer?: string;
  readonly team?: string;
}

export const GLOBAL_MEMBER = "*";

const memberOf = (budget: AiBudgetIR, caller: BudgetCaller): string | undefined => (budget.scope === "global" ? GLOBAL_MEMBER : caller[budget.scope]);

export function chargesFor(gateway: string, budgets: readonly AiBudgetIR[], caller: BudgetCaller, windows: WindowCache, now: number): Charge[] {
  return budgets.flatMap((budget) => {
    const member = memberOf(budget, caller);
    if (member === undefined || (budget.only && !budget.only.includes(member))) return [];
    return [{ gateway, budget, member, window: windows.at(budget.period, budget.timeZone, now) }];
  });
}
