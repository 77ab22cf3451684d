/** Which routes take API keys, and whether the key is required there: facts of the IR that the translator and explain share. */
import type { AllowRuleIR, ApiKeySourceIR, RouteIR } from "./ir.ts";
import { perRoute } from "./per-route.ts";
import { someRoute } from "./route-counts.ts";

export type ApiKeyRule = AllowRuleIR & { readonly apiKey: NonNullable<AllowRuleIR["apiKey"]> };

const NO_RULES: readonly ApiKeyRule[] = [];

const identityRouteKeyRules = perRoute((route): readonly ApiKeyRule[] =>
  route.access.kind === "identities" ? route.access.rules.filter((rule): rule is ApiKeyRule => rule.apiKey !== undefined) : NO_RULES,
);

/** A route's API-key rules (the resolver allows one API-key identity per route); a public route's are known without a look-up. */
export const apiKeyRules = (route: RouteIR): readonly ApiKeyRule[] => (route.access.kind === "identities" ? identityRouteKeyRules(route) : NO_RULES);

/**
 * A route that also admits tokens, certificates or addresses takes a key but does not demand one:
 * a request without a key of the gateway's optional key sources skips the key check, and the
 * access rules decide. A route of API keys alone answers 401 to a request without one.
 */
export function apiKeyOptional(route: RouteIR): boolean {
  return apiKeyRules(route).length > 0 && route.access.kind === "identities" && route.access.rules.some((rule) => rule.apiKey === undefined);
}

const sourceKey = (source: ApiKeySourceIR) => ("header" in source ? `header:${source.header}` : `query:${source.query}`);

/** The key sources of routes where a key is optional: a request carrying none of them skips the optional key check. */
export function optionalKeySources(routes: readonly RouteIR[]): ApiKeySourceIR[] {
  // Counted once per compile (and updated from the last one's): most gateways have no such route.
  if (!someRoute(routes, apiKeyOptional)) return [];
  const sources = new Map<string, ApiKeySourceIR>();
  for (const route of routes) if (apiKeyOptional(route)) for (const rule of apiKeyRules(route)) sources.set(sourceKey(rule.apiKey.source), rule.apiKey.source);
  return [...sources].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, source]) => source);
}
