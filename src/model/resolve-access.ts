import type { Access, AllowRule, ApiKeyIdentity, Identity } from "../config/types.ts";
import type { AccessIR, AllowRuleIR, ApiKeySourceIR } from "./ir.ts";
import type { Reporter } from "./report.ts";

/** Where an API-key identity reads its key; headers compare case-insensitively, so lower case. */
export function apiKeySource(identity: ApiKeyIdentity): ApiKeySourceIR {
  const from = identity.from ?? { header: "x-api-key" };
  return "header" in from ? { header: from.header.toLowerCase() } : { query: from.query };
}

const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

function resolveRule(rule: AllowRule, identities: Readonly<Record<string, Identity>>, report: Reporter, path: (string | number)[]): AllowRuleIR | undefined {
  const identity = identities[rule.identity];
  if (!identity) {
    report.error("PCL4002", `Access rule names identity "${rule.identity}", which is not declared.`, [...path, "identity"], "Declare it under identities, or fix the name.");
    return undefined;
  }
  const mtlsPrincipals =
    identity.type === "mtls"
      ? sorted(rule.spiffeIds ?? (identity.clients ?? []).flatMap((client) => [client.spiffeId, client.san].filter((id): id is string => id !== undefined)))
      : undefined;
  const claims = identity.type === "jwt" ? identity.claims ?? {} : undefined;
  for (const condition of ["roles", "groups"] as const) {
    if ((rule[condition]?.length ?? 0) > 0 && !claims?.[condition]) {
      report.error(
        "PCL4034",
        identity.type === "jwt"
          ? `The rule requires ${condition}, but identity "${rule.identity}" does not say which claim holds them, so no caller could ever match.`
          : `The rule requires ${condition}, which only JWT identities carry; identity "${rule.identity}" is ${identity.type === "apiKey" ? "an API key" : "mTLS"}.`,
        [...path, condition],
        identity.type === "jwt" ? `Map the claim under identities.${rule.identity}.claims.${condition}, e.g. "realm_access.roles".` : "Remove the condition, or use a JWT identity.",
      );
    }
  }
  return {
    identity: rule.identity,
    identityType: identity.type,
    ...(claims ? { claimNames: { scopes: claims.scopes ?? "scope", ...(claims.roles ? { roles: claims.roles } : {}), ...(claims.groups ? { groups: claims.groups } : {}) } } : {}),
    ...(identity.type === "apiKey" ? { apiKey: { source: apiKeySource(identity), consumers: sorted(rule.consumers ?? identity.consumers.map((consumer) => consumer.name)) } } : {}),
    ...(mtlsPrincipals ? { mtlsPrincipals } : {}),
    scopes: sorted(rule.scopes),
    roles: sorted(rule.roles),
    groups: sorted(rule.groups),
    claims: Object.keys(rule.claims ?? {})
      .sort()
      .map((name) => {
        const value = rule.claims![name]!;
        return { name, values: typeof value === "string" ? [value] : sorted(value) };
      }),
    consumers: sorted(rule.consumers),
    spiffeIds: sorted(rule.spiffeIds),
    clientCidrs: sorted(rule.clientCidrs),
  };
}

/**
 * Envoy's api_key_auth filter answers 401 to any request without a key of its one key source,
 * so a route that takes an API key cannot also take a token, a certificate or another identity's key.
 */
function checkCombinable(rules: readonly AllowRuleIR[], report: Reporter, path: (string | number)[]): void {
  const apiKeyIdentities = new Set(rules.filter((rule) => rule.identityType === "apiKey").map((rule) => rule.identity));
  if (apiKeyIdentities.size === 0) return;
  const others = rules.filter((rule) => rule.identityType !== "apiKey").map((rule) => rule.identity);
  if (apiKeyIdentities.size === 1 && others.length === 0) return;
  const names = [...new Set([...apiKeyIdentities, ...others])].sort().map((name) => `"${name}"`).join(", ");
  report.error(
    "PCL4032",
    `These rules accept an API key together with another identity (${names}); one route taking both is not supported yet.`,
    [...path, "allow"],
    "Give API-key callers a route of their own, e.g. the same path matched with `headers: [{ name: \"x-api-key\" }]`.",
  );
}

/** Folds a route's access rules (or its version's) into one decision; no rule at all denies. */
export function resolveAccess(access: Access | undefined, identities: Readonly<Record<string, Identity>>, report: Reporter, path: (string | number)[]): AccessIR {
  if (!access) return { kind: "deny" };
  if ("public" in access) return { kind: "public", reason: access.public.reason };
  const rules = (access.allow ?? [])
    .map((rule, index) => resolveRule(rule, identities, report, [...path, "allow", index]))
    .filter((rule) => rule !== undefined);
  checkCombinable(rules, report, path);
  return rules.length === 0 ? { kind: "deny" } : { kind: "identities", rules };
}
