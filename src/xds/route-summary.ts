import type { AccessIR, AllowRuleIR, RouteIR, RouteMatchIR } from "../model/ir.ts";
import { sortedRecord } from "./proto.ts";
import { routeMethods } from "../model/methods.ts";

/** One allow rule as a reviewer reads it: the identity and only the conditions it sets. */
export interface AllowRuleSummary {
  /** Absent for an address rule. */
  readonly identity?: string;
  readonly [condition: string]: string | readonly string[];
}

/**
 * What a reviewer cares about in one route. It lives in the generated index (for review and
 * `portcullis diff`), not in Envoy's route metadata: Envoy would pay for it on every route update.
 * Only config-level facts: never a secret.
 */
export interface RouteSummary {
  readonly path: string;
  readonly methods: string;
  readonly hostnames: readonly string[];
  readonly version: string;
  readonly lifecycle: string;
  readonly access: string | readonly AllowRuleSummary[];
  readonly target: string;
}

function path(match: RouteMatchIR): string {
  if (match.kind === "prefix") return match.path === "/" ? "/**" : `${match.path}/**`;
  return match.path;
}

function ruleSummary(rule: AllowRuleIR): AllowRuleSummary {
  const conditions: [string, readonly string[]][] = [
    ["scopes", rule.scopes],
    ["roles", rule.roles],
    ["groups", rule.groups],
    ["claims", rule.claims.map((claim) => `${claim.name}=${claim.values.join("|")}`)],
    ["consumers", rule.consumers],
    ["spiffe_ids", rule.spiffeIds],
    ["mtls_principals", rule.mtlsPrincipals ?? []],
    ["client_cidrs", rule.clientCidrs],
  ];
  return { ...(rule.identity ? { identity: rule.identity } : {}), type: rule.identityType, ...Object.fromEntries(conditions.filter(([, values]) => values.length > 0)) };
}

function access(access: AccessIR): RouteSummary["access"] {
  if (access.kind === "public") return `public (${access.reason})`;
  if (access.kind === "deny") return "deny";
  return access.rules.map(ruleSummary);
}

export function summarizeRoute(route: RouteIR): RouteSummary {
  return {
    path: path(route.match),
    methods: routeMethods(route).join(","),
    hostnames: route.hostnames,
    version: route.version,
    lifecycle: route.lifecycle.state,
    access: access(route.access),
    target: route.action.kind === "forward" ? `cluster ${route.action.cluster}` : route.action.kind === "gone" ? "status 410" : route.action.kind === "respond" ? "status 200 (document)" : "AI processor",
  };
}

/** Every route's summary keyed by route id (`<api>.<version>.<route>`), in id order. */
export function summarizeRoutes(routes: readonly RouteIR[]): Record<string, RouteSummary> {
  return sortedRecord(routes.map((route) => [route.id, summarizeRoute(route)] as const));
}
