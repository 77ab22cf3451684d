/**
 * `portcullis usage --budgets`: each budget counter of a current window, with what is spent and
 * reserved against its limits and when it resets, as the processor last wrote it (the in-memory
 * counters are written behind every second) or as Redis holds it.
 */
import { DIMENSIONS, type BudgetState, type Dimension } from "./ledger.ts";

export interface BudgetRow {
  readonly gateway: string;
  readonly budget: string;
  /** The identity, subject, consumer or team; `*` for a global budget. */
  readonly member: string;
  /** What the budget limits; a budget with two limits gives two rows. */
  readonly counts: Dimension;
  readonly spent: number;
  readonly reserved: number;
  readonly limit: number;
  /** ISO 8601 UTC. */
  readonly resetsAt: string;
  readonly overruns: number;
}

export function budgetRows(states: readonly BudgetState[], filter: { readonly gateway?: string } = {}): BudgetRow[] {
  return states
    .filter((state) => !filter.gateway || state.gateway === filter.gateway)
    .flatMap((state) =>
      DIMENSIONS.flatMap((counts) => {
        const limit = state.limits[counts];
        if (limit === undefined) return [];
        return [{ gateway: state.gateway, budget: state.budget, member: state.member, counts, spent: state.spent[counts], reserved: state.reserved[counts], limit, resetsAt: new Date(state.windowEnd).toISOString(), overruns: state.overruns }];
      }),
    );
}

const COLUMNS = ["gateway", "budget", "member", "counts", "spent", "reserved", "limit", "resetsAt", "overruns"] as const;
const HEADINGS = ["gateway", "budget", "member", "counts", "spent", "reserved", "limit", "resets at", "overruns"];

function cell(row: BudgetRow, column: (typeof COLUMNS)[number]): string {
  const value = row[column];
  if (typeof value !== "number" || column === "overruns") return String(value);
  return row.counts === "usd" ? `$${value.toFixed(6)}` : String(Math.round(value));
}

export function budgetTable(rows: readonly BudgetRow[]): string {
  const lines = [HEADINGS, ...rows.map((row) => COLUMNS.map((column) => cell(row, column)))];
  const widths = HEADINGS.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  const numeric = new Set([4, 5, 6, 8]);
  return lines.map((line) => line.map((text, i) => (numeric.has(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

export function budgetCsv(rows: readonly BudgetRow[]): string {
  return [COLUMNS.join(","), ...rows.map((row) => COLUMNS.map((column) => String(row[column])).join(","))].join("\n");
}
