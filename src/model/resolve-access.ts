import type { Access, AllowRule, Identity } from "../config/types.ts";
import type { AccessIR, AllowRuleIR } from "./ir.ts";
import type { Reporter } from "./report.ts";

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
  return {
    identity: rule.identity,
    identityType: identity.type,
    ...(claims ? { claimNames: { scopes: claims.scopes ?? "scope", ...(claims.roles ? { roles: claims.roles } : {}), ...(claims.groups ? { groups: claims.groups } : {}) } } : {}),
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

/** Folds a route's access rules (or its version's) into one decision; no rule at all denies. */
export function resolveAccess(access: Access | undefined, identities: Readonly<Record<string, Identity>>, report: Reporter, path: (string | number)[]): AccessIR {
  if (!access) return { kind: "deny" };
  if ("public" in access) return { kind: "public", reason: access.public.reason };
  const rules = (access.allow ?? [])
    .map((rule, index) => resolveRule(rule, identities, report, [...path, "allow", index]))
    .filter((rule) => rule !== undefined);
  return rules.length === 0 ? { kind: "deny" } : { kind: "identities", rules };
}
