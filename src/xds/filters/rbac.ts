import { RBAC_Action } from "../../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { RBACPerRouteSchema, RBACSchema } from "../../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { ADDRESS_RULE_IDENTITY } from "../../model/identity-headers.ts";
import type { AllowRuleIR, RouteIR } from "../../model/ir.ts";
import { packed, sortedRecord, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { rulePrincipal, withoutCriticalExtensions } from "./rbac-principals.ts";
import { someRoute } from "../../model/route-counts.ts";

const notPublic = (route: RouteIR) => route.access.kind !== "public";

/** ALLOW with no policy matches nothing, so it denies every request. */
const DENY_ALL = packed(RBACPerRouteSchema, { rbac: { rules: { action: RBAC_Action.ALLOW } } });

/**
 * A public route says so in its own output: a per-route config without `rbac` turns the filter off
 * for the route (Envoy's documented meaning). The chain entry would admit it anyway; the explicit
 * entry is what lets the verifier (src/verify) tell a public route from one whose rules were lost.
 */
export const RBAC_OFF = packed(RBACPerRouteSchema, {});

/**
 * One policy per identity (its rules' principals, any of which admits), named after it: the
 * name of the policy that matched is what tells upstreams and the access log who was admitted.
 */
function policies(rules: readonly AllowRuleIR[]) {
  const byName = new Map<string, NonNullable<ReturnType<typeof rulePrincipal>>[]>();
  const jwtIdentities = new Set<string>();
  for (const rule of rules) {
    const principal = rulePrincipal(rule);
    if (!principal) continue;
    const name = rule.identity ?? ADDRESS_RULE_IDENTITY;
    byName.set(name, [...(byName.get(name) ?? []), principal]);
    if (rule.identityType === "jwt") jwtIdentities.add(name);
  }
  return sortedRecord(
    [...byName].map(([name, admitting]) => {
      const principals = jwtIdentities.has(name) ? [withoutCriticalExtensions(name, admitting)] : admitting;
      const policy = { permissions: [{ rule: { case: "any" as const, value: true } }], principals };
      return [name, policy] as [string, typeof policy];
    }),
  );
}

function routeRules(route: RouteIR) {
  if (route.access.kind === "public") return RBAC_OFF;
  if (route.access.kind === "deny") return DENY_ALL;
  const allow = policies(route.access.rules);
  if (Object.keys(allow).length === 0) return DENY_ALL;
  const rules = { action: RBAC_Action.ALLOW, policies: allow };
  // The same rules in shadow mode decide nothing but record which policy matched
  // (shadow_effective_policy_id), which Envoy's enforced engine does not.
  return packed(RBACPerRouteSchema, { rbac: { rules, shadowRules: rules } });
}

/**
 * Access rules, per route: allow when any rule's principal matches (verified JWT claims, the
 * peer certificate, the API-key consumer, the client address); deny otherwise, and deny
 * everything on routes with no rule (fail closed). Public routes turn it off by name. The chain entry
 * has no rules of its own so that requests matching no route still get a 404.
 */
export const rbacFilter: HttpFilterModule = {
  name: "envoy.filters.http.rbac",
  chainEntry: (ir) => (someRoute(ir.routes, notPublic) ? typedExtension("envoy.filters.http.rbac", RBACSchema, {}) : undefined),
  perRoute: routeRules,
  // The chain entry has no rules: a route without its own config is admitted, as with RBAC off.
  hostNeutral: RBAC_OFF,
};
