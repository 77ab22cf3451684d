/**
 * `ai.budgets`, `ai.rateLimits` and `ai.budgetStore` → the budgets the AI processor enforces.
 * Everything a budget needs to hold is checked here, at compile time: a time zone the calendar
 * knows, at least one limit, members that exist, names that tell budgets apart, and models whose
 * worst case can be priced and bounded (a money budget over an unpriced model would count $0).
 */
import { contextWindow, isPriced } from "../ai/catalog.ts";
import type { AiGateway, GatewayConfig } from "../config/types.ts";
import type { ModelPath } from "../config/locate.ts";
import type { AiBudgetIR, AiBudgetStoreIR, AiModelIR, AiProviderIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { readSecret, type SecretSource } from "./secrets.ts";

export const DEFAULT_BUDGET_KEY_PREFIX = "portcullis:budget:";

/** The zone's canonical name, or undefined when the IANA database does not know it. */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The names each scope's `only` may list (subjects are whatever tokens carry, so any). */
function members(config: GatewayConfig): Record<"identity" | "consumer" | "team", Set<string>> {
  const identities = Object.entries(config.identities ?? {});
  const consumers = identities.flatMap(([, identity]) => (identity.type === "apiKey" ? identity.consumers ?? [] : []));
  return {
    identity: new Set(identities.map(([name]) => name)),
    consumer: new Set(consumers.map((consumer) => consumer.name)),
    team: new Set(consumers.flatMap((consumer) => (consumer.team ? [consumer.team] : []))),
  };
}

function checkOnly(entry: { scope: string; only?: string[] }, known: ReturnType<typeof members>, path: (string | number)[], report: Reporter): readonly string[] | undefined {
  if (!entry.only) return undefined;
  if (entry.scope === "global") {
    report.error("PCL4059", "`only` has no effect on a global budget: it counts every request together.", [...path, "only"], "Remove `only`, or choose the scope whose members it lists.");
    return undefined;
  }
  const names = known[entry.scope as keyof typeof known];
  for (const [index, name] of entry.only.entries()) {
    if (names && !names.has(name)) {
      const listed = [...names].sort();
      report.error("PCL4055", `No ${entry.scope} is named "${name}", so this part of the budget would never apply.`, [...path, "only", index], listed.length > 0 ? `Use one of ${listed.map((n) => `"${n}"`).join(", ")}.` : `Declare the ${entry.scope} under identities first.`);
    }
  }
  return [...new Set(entry.only)].sort();
}

function resolveBudget(budget: NonNullable<AiGateway["budgets"]>[number], index: number, known: ReturnType<typeof members>, report: Reporter): AiBudgetIR | undefined {
  const path = ["ai", "budgets", index];
  const timeZone = canonicalTimeZone(budget.timeZone ?? "UTC");
  if (!timeZone) {
    report.error("PCL4053", `Budget "${budget.name}" names the time zone "${budget.timeZone}", which the IANA time zone database does not know.`, [...path, "timeZone"], 'Write an IANA zone name such as "UTC", "Europe/Paris" or "America/New_York".');
  }
  if (budget.usd === undefined && budget.tokens === undefined) {
    report.error("PCL4054", `Budget "${budget.name}" sets no limit, so it would cap nothing.`, path, "Set usd, tokens or both.");
  }
  const only = checkOnly(budget, known, path, report);
  if (!timeZone || (budget.usd === undefined && budget.tokens === undefined)) return undefined;
  return {
    name: budget.name,
    kind: "budget",
    scope: budget.scope,
    ...(only ? { only } : {}),
    limits: { ...(budget.usd !== undefined ? { usd: budget.usd } : {}), ...(budget.tokens !== undefined ? { tokens: budget.tokens } : {}) },
    period: budget.period,
    timeZone,
    mode: budget.mode ?? "block",
  };
}

function resolveRateLimit(limit: NonNullable<AiGateway["rateLimits"]>[number], index: number, known: ReturnType<typeof members>, report: Reporter): AiBudgetIR | undefined {
  const path = ["ai", "rateLimits", index];
  const only = checkOnly(limit, known, path, report);
  if (limit.tokensPerMinute === undefined && limit.requestsPerMinute === undefined) {
    report.error("PCL4054", `Rate limit "${limit.name}" sets no limit, so it would cap nothing.`, path, "Set tokensPerMinute, requestsPerMinute or both.");
    return undefined;
  }
  return {
    name: limit.name,
    kind: "rate-limit",
    scope: limit.scope,
    ...(only ? { only } : {}),
    limits: { ...(limit.tokensPerMinute !== undefined ? { tokens: limit.tokensPerMinute } : {}), ...(limit.requestsPerMinute !== undefined ? { requests: limit.requestsPerMinute } : {}) },
    period: "minute",
    timeZone: "UTC",
    mode: "block",
  };
}

/** Budgets then rate limits; a name used twice is reported (the 429 and the report name them). */
export function resolveBudgets(ai: AiGateway, config: GatewayConfig, report: Reporter): AiBudgetIR[] {
  const known = members(config);
  const budgets = [
    ...(ai.budgets ?? []).map((budget, index) => ({ entry: resolveBudget(budget, index, known, report), name: budget.name, path: ["ai", "budgets", index] })),
    ...(ai.rateLimits ?? []).map((limit, index) => ({ entry: resolveRateLimit(limit, index, known, report), name: limit.name, path: ["ai", "rateLimits", index] })),
  ];
  const seen = new Set<string>();
  for (const { name, path } of budgets) {
    if (seen.has(name)) report.error("PCL4056", `Two budgets or rate limits are named "${name}"; refusals and reports could not tell them apart.`, [...path, "name"], "Give each budget and rate limit a name of its own.");
    seen.add(name);
  }
  return budgets.flatMap(({ entry }) => (entry ? [entry] : []));
}

/**
 * Whether a model can be held to the budgets: priced when money is counted (an unpriced model
 * would be counted at $0), and its answer bounded when anything is reserved (the alias's
 * maxTokens, or the catalog's context window). Returns false after reporting.
 */
export function checkBudgetable(model: AiModelIR, provider: AiProviderIR, budgets: readonly AiBudgetIR[], report: Reporter, path: ModelPath = ["ai", "models", model.alias, "targets", 0, "model"]): boolean {
  const money = budgets.find((budget) => budget.limits.usd !== undefined);
  if (money && !isPriced(provider.catalog, model.model)) {
    report.error("PCL4057", `No price is known for "${model.model}" of provider "${provider.name}" (model alias "${model.alias}"), but budget "${money.name}" counts US dollars: its requests would be counted at $0.`, path, "Use a model the catalog prices, or budget this caller in tokens only.");
    return false;
  }
  const reserving = budgets.find((budget) => budget.limits.usd !== undefined || budget.limits.tokens !== undefined);
  if (reserving && model.maxTokens === undefined && contextWindow(provider.catalog, model.model) === undefined) {
    report.error("PCL4058", `The longest answer of "${model.model}" (model alias "${model.alias}") is unknown, so budget "${reserving.name}" cannot reserve its worst case.`, ["ai", "models", model.alias], "Set maxTokens on the alias.");
    return false;
  }
  return true;
}

/** In memory unless `budgetStore.redis` names a server; the URL is a secret (it may hold a password). */
export function resolveBudgetStore(ai: AiGateway, source: SecretSource, report: Reporter): AiBudgetStoreIR {
  const store = ai.budgetStore;
  if (!store) return { kind: "memory" };
  const path = ["ai", "budgetStore", "redis"];
  const url = readSecret(store.redis, source, report, path);
  if (source.mode === "read" && url.reveal().length > 0) {
    const text = new TextDecoder().decode(url.reveal()).trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || !parsed.hostname) {
      report.error("PCL4140", "The budget store's Redis URL is not a redis:// or rediss:// URL with a host.", path, "Write redis://host:6379 (rediss:// for TLS); a password goes in as redis://:password@host:6379.");
    }
  }
  return { kind: "redis", url, keyPrefix: store.keyPrefix ?? DEFAULT_BUDGET_KEY_PREFIX };
}
