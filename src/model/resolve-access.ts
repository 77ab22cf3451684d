import type { Access, AllowRule, ApiKeyIdentity, Identity, JwtIdentity } from "../config/types.ts";
import type { AccessIR, AllowRuleIR, ApiKeySourceIR } from "./ir.ts";
import type { Reporter } from "./report.ts";

type Path = (string | number)[];

/** Where an API-key identity reads its key; headers compare case-insensitively, so lower case. */
export function apiKeySource(identity: ApiKeyIdentity): ApiKeySourceIR {
  const from = identity.from ?? { header: "x-api-key" };
  return "header" in from ? { header: from.header.toLowerCase() } : { query: from.query };
}

const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

/** Conditions that only mean something for a caller who presented an identity. */
const IDENTITY_CONDITIONS = ["scopes", "roles", "groups", "claims", "consumers", "spiffeIds"] as const;

/** An address rule: `clientCidrs` and nothing that needs an identity. */
function addressRule(rule: AllowRule, report: Reporter, path: Path): AllowRuleIR | undefined {
  const needsIdentity = IDENTITY_CONDITIONS.filter((condition) => rule[condition] !== undefined);
  if (needsIdentity.length > 0 || (rule.clientCidrs ?? []).length === 0) {
    report.error(
      "PCL4035",
      needsIdentity.length > 0
        ? `The rule sets ${needsIdentity.join(", ")} but names no identity, so there is no verified caller to hold them.`
        : "The rule names neither an identity nor client address ranges, so it would admit nobody.",
      path,
      'Name the identity the caller presents (identity: "..."), or allow by address alone with clientCidrs only.',
    );
    return undefined;
  }
  return { identityType: "address", scopes: [], roles: [], groups: [], claims: [], consumers: [], spiffeIds: [], clientCidrs: sorted(rule.clientCidrs) };
}

/** roles and groups are read from the claims the identity maps; without a mapping no caller could match. */
function checkClaimMapping(rule: AllowRule, name: string, identity: Identity, report: Reporter, path: Path): void {
  const claims = identity.type === "jwt" ? (identity.claims ?? {}) : undefined;
  for (const condition of ["roles", "groups"] as const) {
    if ((rule[condition]?.length ?? 0) === 0 || claims?.[condition]) continue;
    report.error(
      "PCL4034",
      identity.type === "jwt"
        ? `The rule requires ${condition}, but identity "${name}" does not say which claim holds them, so no caller could ever match.`
        : `The rule requires ${condition}, which only JWT identities carry; identity "${name}" is ${identity.type === "apiKey" ? "an API key" : "mTLS"}.`,
      [...path, condition],
      identity.type === "jwt" ? `Map the claim under identities.${name}.claims.${condition}, e.g. "realm_access.roles".` : "Remove the condition, or use a JWT identity.",
    );
  }
}

function claimNames(identity: JwtIdentity) {
  const claims = identity.claims ?? {};
  return { scopes: claims.scopes ?? "scope", ...(claims.roles ? { roles: claims.roles } : {}), ...(claims.groups ? { groups: claims.groups } : {}) };
}

function identityRule(rule: AllowRule, name: string, { identities, consumerHeader, report }: AccessInputs, path: Path): AllowRuleIR | undefined {
  const identity = Object.hasOwn(identities, name) ? identities[name] : undefined;
  if (!identity) {
    report.error("PCL4002", `Access rule names identity "${name}", which is not declared.`, [...path, "identity"], "Declare it under identities, or fix the name.");
    return undefined;
  }
  checkClaimMapping(rule, name, identity, report, path);
  return {
    identity: name,
    identityType: identity.type,
    ...(identity.type === "jwt" ? { claimNames: claimNames(identity) } : {}),
    ...(identity.type === "apiKey"
      ? { apiKey: { source: apiKeySource(identity), consumers: sorted(rule.consumers ?? identity.consumers.map((consumer) => consumer.name)), consumerHeader } }
      : {}),
    ...(identity.type === "mtls"
      ? { mtlsPrincipals: sorted(rule.spiffeIds ?? identity.clients.flatMap((client) => [client.spiffeId, client.san].filter((id): id is string => id !== undefined))) }
      : {}),
    scopes: sorted(rule.scopes),
    roles: sorted(rule.roles),
    groups: sorted(rule.groups),
    claims: Object.keys(rule.claims ?? {})
      .sort()
      .map((claim) => {
        const value = rule.claims![claim]!;
        return { name: claim, values: typeof value === "string" ? [value] : sorted(value) };
      }),
    consumers: sorted(rule.consumers),
    spiffeIds: sorted(rule.spiffeIds),
    clientCidrs: sorted(rule.clientCidrs),
  };
}

/**
 * A route reads its key from one place, so it can take the keys of one API-key identity; tokens,
 * certificates and address rules may stand beside it (the key is then optional).
 */
function checkCombinable(rules: readonly AllowRuleIR[], report: Reporter, path: Path): void {
  const apiKeyIdentities = [...new Set(rules.flatMap((rule) => (rule.identityType === "apiKey" && rule.identity ? [rule.identity] : [])))].sort();
  if (apiKeyIdentities.length <= 1) return;
  report.error(
    "PCL4032",
    `These rules accept the keys of several API-key identities (${apiKeyIdentities.map((name) => `"${name}"`).join(", ")}); one route taking keys of two identities is not supported yet.`,
    [...path, "allow"],
    "Put the consumers into one API-key identity, or give each identity's callers a route of their own.",
  );
}

export interface AccessInputs {
  readonly identities: Readonly<Record<string, Identity>>;
  readonly consumerHeader: string;
  readonly report: Reporter;
}

/** Folds a route's access rules (or its version's) into one decision; no rule at all denies. */
export function resolveAccess(access: Access | undefined, inputs: AccessInputs, path: Path): AccessIR {
  const { report } = inputs;
  if (!access) return { kind: "deny" };
  if ("public" in access) return { kind: "public", reason: access.public.reason };
  const rules = (access.allow ?? [])
    .map((rule, index) => {
      const rulePath = [...path, "allow", index];
      return rule.identity === undefined ? addressRule(rule, report, rulePath) : identityRule(rule, rule.identity, inputs, rulePath);
    })
    .filter((rule) => rule !== undefined);
  checkCombinable(rules, report, path);
  return rules.length === 0 ? { kind: "deny" } : { kind: "identities", rules };
}
