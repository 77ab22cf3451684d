import { RBAC_Action } from "../../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { RBACPerRouteSchema, RBACSchema } from "../../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import type { RouteIR } from "../../model/ir.ts";
import { packed, sortedRecord, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { rulePrincipal } from "./rbac-principals.ts";

/** ALLOW with no policy matches nothing, so it denies every request. */
const DENY_ALL = packed(RBACPerRouteSchema, { rbac: { rules: { action: RBAC_Action.ALLOW } } });

function routeRules(route: RouteIR) {
  if (route.access.kind === "public") return undefined;
  if (route.access.kind === "deny") return DENY_ALL;
  const policies = route.access.rules.flatMap((rule, index) => {
    const principal = rulePrincipal(rule);
    if (!principal) return [];
    const policy = { permissions: [{ rule: { case: "any" as const, value: true } }], principals: [principal] };
    return [[`rule-${index}-${rule.identity}`, policy] as [string, typeof policy]];
  });
  if (policies.length === 0) return DENY_ALL;
  return packed(RBACPerRouteSchema, { rbac: { rules: { action: RBAC_Action.ALLOW, policies: sortedRecord(policies) } } });
}

/**
 * Access rules, per route: allow when any rule's principal matches (verified JWT claims, the
 * peer certificate, the client address); deny otherwise, and deny everything on routes with no
 * rule or only rules Envoy cannot enforce yet (fail closed). Public routes need no config. The
 * chain entry has no rules of its own so that requests matching no route still get a 404.
 */
export const rbacFilter: HttpFilterModule = {
  name: "envoy.filters.http.rbac",
  chainEntry: (ir) => (ir.routes.some((route) => route.access.kind !== "public") ? typedExtension("envoy.filters.http.rbac", RBACSchema, {}) : undefined),
  perRoute: routeRules,
};
