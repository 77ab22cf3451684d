/**
 * The 429 a caller gets when a request does not fit a budget or rate limit: an OpenAI-shaped
 * error (its clients raise RateLimitError) that names the budget, whose allowance it is, what is
 * left, and when it resets, with Retry-After in seconds.
 */
import type { OpenAiError } from "../openai-errors.ts";
import { GLOBAL_MEMBER } from "./charges.ts";
import type { Amounts, Charge, Dimension } from "./ledger.ts";

const PERIOD_WORDS = { minute: "this minute", day: "today", week: "this week", month: "this month" } as const;

const quantity = (dimension: Dimension, value: number) => {
  if (dimension === "usd") return `$${value.toFixed(6)}`;
  const count = Math.round(value);
  return `${count} ${dimension === "tokens" ? "tokens" : count === 1 ? "request" : "requests"}`;
};

export interface Refusal {
  readonly error: OpenAiError;
  readonly retryAfterSeconds: number;
}

export function refusal(charge: Charge, dimension: Dimension, used: number, amount: Amounts, now: number): Refusal {
  const budget = charge.budget;
  const whose = charge.member === GLOBAL_MEMBER ? "for everyone" : `for ${budget.scope} "${charge.member}"`;
  const what = budget.kind === "rate-limit" ? "Rate limit" : "Budget";
  const limit = budget.limits[dimension]!;
  const resets = new Date(charge.window.end).toISOString();
  const mayUse = dimension === "requests" ? "" : ` and this request may use up to ${quantity(dimension, amount[dimension])}`;
  return {
    error: {
      status: 429,
      type: "rate_limit_error",
      code: budget.kind === "rate-limit" ? "rate_limit_exceeded" : "budget_exceeded",
      message: `${what} "${budget.name}" ${whose} would be exceeded: ${quantity(dimension, used)} of ${quantity(dimension, limit)} is spent or reserved ${PERIOD_WORDS[budget.period]}${mayUse}. It resets at ${resets}${budget.period === "minute" ? "" : ` (${budget.timeZone} calendar)`}.`,
    },
    retryAfterSeconds: Math.max(1, Math.ceil((charge.window.end - now) / 1000)),
  };
}
