/** How IR parts appear in the policy view: the plain values rules read about access and rate limits. */
import type { AccessIR, RateLimitIR } from "../model/ir.ts";

export type Value = Readonly<Record<string, unknown>>;

export function accessValue(access: AccessIR): Value {
  return {
    kind: access.kind,
    reason: access.kind === "public" ? access.reason.trim() : "",
    rules: (access.kind === "identities" ? access.rules : []).map((rule) => ({
      identity: rule.identity ?? "",
      identityType: rule.identityType,
      scopes: rule.scopes,
      roles: rule.roles,
      groups: rule.groups,
      consumers: rule.consumers,
      spiffeIds: rule.spiffeIds,
      clientCidrs: rule.clientCidrs,
      claims: rule.claims.map((claim) => ({ name: claim.name, values: claim.values })),
    })),
  };
}

export const sameAccess = (a: AccessIR, b: AccessIR | undefined) => b !== undefined && JSON.stringify(a) === JSON.stringify(b);

export function rateLimitValue(limit: RateLimitIR) {
  return { requests: limit.requests, periodSeconds: limit.periodSeconds, by: limit.by, scope: limit.scope, mode: limit.mode, failureMode: limit.failureMode };
}
