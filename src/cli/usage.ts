import { existsSync } from "node:fs";
import { budgetCsv, budgetRows, budgetTable } from "../ai/budgets/budget-report.ts";
import type { BudgetState } from "../ai/budgets/ledger.ts";
import { readBudgetStates } from "../ai/budgets/ledger-file.ts";
import { RedisLedger } from "../ai/budgets/redis-ledger.ts";
import { DEFAULT_BUDGET_KEY_PREFIX } from "../model/resolve-ai-budgets.ts";
import { openUsageDatabase, DEFAULT_USAGE_DB } from "../ai/usage-store.ts";
import { USAGE_GROUPINGS, type UsageGrouping, usageReport, type UsageRow } from "../ai/usage-report.ts";
import { UserError } from "../errors.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { redisUrlFlag } from "./redis-url.ts";
import { sinceTime } from "./since.ts";

const FORMATS = ["table", "json", "csv"] as const;

const HELP = `Usage: portcullis usage [options]

What the AI gateway's callers used: requests, tokens and cost in US dollars (from the model
catalog), summed per team, consumer, model or day, from the records the AI processor keeps.

Options:
  --by KEY       ${USAGE_GROUPINGS.join(", ")} (default consumer)
  --since WHEN   a date (2026-12-01), a time (2026-12-01T08:00:00Z), or a span back from now (30m, 24h, 7d)
  --gateway NAME only this gateway's requests
  --format F     ${FORMATS.join(", ")} (default table)
  --db FILE      the usage database (default ${DEFAULT_USAGE_DB})
  --budgets      the budgets and rate limits instead: spent, reserved, limit and reset time of each
                 counter whose window has not ended (one row per limit)
  --redis URL    with --budgets: read the counters a budgetStore in Redis holds, not the database;
                 env:NAME reads the URL from that environment variable (a password goes there)
                 (--key-prefix P if the config sets one; default ${DEFAULT_BUDGET_KEY_PREFIX})

Example:
  portcullis usage --by team --since 2026-12-01
  portcullis usage --budgets`;

const COLUMNS = ["requests", "errors", "inputTokens", "outputTokens", "cachedInputTokens", "costUsd", "unpriced"] as const;
const HEADINGS = ["requests", "errors", "input tokens", "output tokens", "cached", "cost (USD)", "unpriced"];

const cell = (row: UsageRow, column: (typeof COLUMNS)[number]) => (column === "costUsd" ? row.costUsd.toFixed(4) : String(row[column]));
const keyOf = (row: UsageRow) => row.key ?? "(none)";

function table(rows: readonly UsageRow[], by: UsageGrouping): string {
  const lines = [[by, ...HEADINGS], ...rows.map((row) => [keyOf(row), ...COLUMNS.map((column) => cell(row, column))])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  return lines.map((line) => line.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join("  ")).join("\n");
}

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

function csv(rows: readonly UsageRow[], by: UsageGrouping): string {
  return [[by, ...COLUMNS], ...rows.map((row) => [row.key ?? "", ...COLUMNS.map((column) => cell(row, column))])].map((line) => line.map(csvField).join(",")).join("\n");
}

export const usageCommand: Command = {
  name: "usage",
  summary: "AI usage and cost per team, consumer, model or day",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      by: { type: "string" },
      since: { type: "string" },
      gateway: { type: "string" },
      format: { type: "string" },
      db: { type: "string" },
      budgets: { type: "boolean" },
      redis: { type: "string" },
      "key-prefix": { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError(`usage takes no arguments, got "${positionals[0]}"`);
    const by = (values.by ?? "consumer") as UsageGrouping;
    if (!USAGE_GROUPINGS.includes(by)) throw new UsageError(`--by must be one of ${USAGE_GROUPINGS.join(", ")}, got "${values.by}"`);
    const format = values.format ?? "table";
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
    if (values.budgets) return budgetsReport(values);
    if (values.redis || values["key-prefix"]) throw new UsageError("--redis and --key-prefix go with --budgets");
    const file = values.db ?? DEFAULT_USAGE_DB;
    if (!existsSync(file)) throw new UserError(`no usage recorded at ${file}: the AI processor of serve, up or processor writes it (--usage-db), or name it with --db`);
    const db = openUsageDatabase(file, { readonly: true });
    try {
      const rows = usageReport(db, { by, ...(values.since ? { since: sinceTime(values.since, Date.now()) } : {}), ...(values.gateway ? { gateway: values.gateway } : {}) });
      const text = format === "json" ? JSON.stringify(rows, null, 2) : format === "csv" ? csv(rows, by) : rows.length === 0 ? "no usage recorded in that range" : table(rows, by);
      console.log(text);
      return ExitCode.ok;
    } finally {
      db.close();
    }
  },
};

interface BudgetOptions {
  readonly db?: string | undefined;
  readonly gateway?: string | undefined;
  readonly format?: string | undefined;
  readonly redis?: string | undefined;
  readonly "key-prefix"?: string | undefined;
  readonly by?: string | undefined;
  readonly since?: string | undefined;
}

async function budgetsReport(values: BudgetOptions): Promise<number> {
  if (values.by || values.since) throw new UsageError("--by and --since do not go with --budgets: it shows the current windows");
  const format = values.format ?? "table";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
  const now = Date.now();
  let states: BudgetState[];
  const redis = redisUrlFlag("--redis", values.redis);
  if (redis) {
    const ledger = new RedisLedger(redis, values["key-prefix"] ?? DEFAULT_BUDGET_KEY_PREFIX, () => {});
    try {
      states = (await ledger.states()).filter((state) => state.windowEnd > now);
    } catch (error) {
      throw new UserError(`cannot read the budget counters from Redis: ${(error as Error).message}`);
    } finally {
      await ledger.close();
    }
  } else {
    const file = values.db ?? DEFAULT_USAGE_DB;
    if (!existsSync(file)) throw new UserError(`no budget counters at ${file}: the AI processor of serve, up or processor writes them beside its usage (--usage-db), or name it with --db`);
    const db = openUsageDatabase(file, { readonly: true });
    try {
      states = readBudgetStates(db, now);
    } finally {
      db.close();
    }
  }
  const rows = budgetRows(states, values.gateway ? { gateway: values.gateway } : {});
  console.log(format === "json" ? JSON.stringify(rows, null, 2) : format === "csv" ? budgetCsv(rows) : rows.length === 0 ? "no budget has been charged in its current window" : budgetTable(rows));
  return ExitCode.ok;
}
