/** `portcullis usage`: the usage records summed per team, consumer, model, day, ... */
import type { DatabaseSync } from "node:sqlite";

export const USAGE_GROUPINGS = ["team", "consumer", "identity", "subject", "alias", "endpoint", "prompt", "model", "provider", "gateway", "day"] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

export interface UsageRow {
  /** The team, consumer, ... or day; null where the records have none (e.g. callers without a team). */
  readonly key: string | null;
  readonly requests: number;
  /** Answers with an error status, or cut off before one. */
  readonly errors: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly costUsd: number;
  /** Requests with tokens but no price in the catalog: their cost is missing from costUsd. */
  readonly unpriced: number;
}

/** Column expressions, never user text: the grouping is checked against USAGE_GROUPINGS first. */
const KEY: Readonly<Record<UsageGrouping, string>> = {
  team: "team",
  consumer: "consumer",
  identity: "identity",
  subject: "subject",
  alias: "alias",
  endpoint: "endpoint",
  prompt: "prompt",
  model: "provider || '/' || model",
  provider: "provider",
  gateway: "gateway",
  day: "substr(time, 1, 10)",
};

export interface UsageQuery {
  readonly by: UsageGrouping;
  /** ISO 8601 time: only records from then on. */
  readonly since?: string;
  readonly gateway?: string;
}

/**
 * The grouping's column expression. A database an older version wrote (read-only here, so never
 * migrated) lacks the columns added since (usage-store.ts): its records have no value there.
 */
function keyExpression(db: DatabaseSync, by: UsageGrouping): string {
  const expression = KEY[by];
  if (!/^[a-z_]+$/.test(expression)) return expression;
  const present = db.prepare("PRAGMA table_info(usage)").all().some((column) => column["name"] === expression);
  return present ? expression : "NULL";
}

export function usageReport(db: DatabaseSync, query: UsageQuery): UsageRow[] {
  const where = [...(query.since ? ["time >= :since"] : []), ...(query.gateway ? ["gateway = :gateway"] : [])];
  const statement = db.prepare(`
    SELECT ${keyExpression(db, query.by)} AS key,
      COUNT(*) AS requests,
      SUM(status = 0 OR status >= 400) AS errors,
      SUM(input_tokens) AS inputTokens,
      SUM(output_tokens) AS outputTokens,
      SUM(cached_input_tokens) AS cachedInputTokens,
      COALESCE(SUM(cost_usd), 0) AS costUsd,
      SUM(cost_usd IS NULL AND usage_reported = 1) AS unpriced
    FROM usage ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    GROUP BY key ORDER BY key`);
  const params = { ...(query.since ? { since: query.since } : {}), ...(query.gateway ? { gateway: query.gateway } : {}) };
  return statement.all(params).map((row) => ({ ...row }) as unknown as UsageRow);
}
