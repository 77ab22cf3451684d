/**
 * Which methods each route takes, and the 405 answers for the rest. Layout of a virtual host:
 *
 *   1. a guard, when some route there names no methods: any method outside the seven APIs use
 *      (TRACE, WebDAV's, over HTTP/2 any token at all) → 405. One inverted regex for the whole host, so routes
 *      without `methods` need no method matcher at all (Envoy compiles every route's regex again on
 *      each route update; a per-route regex made large route tables measurably slower to load);
 *   2. the routes, in match order; only those with `methods` match on `:method`, an exact match
 *      when they take one method and an alternation otherwise;
 *   3. per distinct match (path and header conditions) whose routes all name their methods, a
 *      route for every other method → 405 listing the methods that match takes. They come after
 *      every route, so a less specific route that takes the method still gets it first.
 *
 * A route with `cors` also takes OPTIONS: Envoy's CORS filter answers a preflight only on a route
 * that forwards (not on a direct response such as the 405), so the route itself must match it.
 * The 405 routes carry no access rules: a wrong method is refused before anyone authenticates,
 * and nothing reaches a backend.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RouteSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import type { HttpMethod, RouteIR, RouteMatchIR } from "../model/ir.ts";
import { DEFAULT_METHODS, routeMethods } from "../model/methods.ts";

type RouteInit = MessageInitShape<typeof RouteSchema>;

/** Route names of the 405 routes start with this; they are not routes of the config (review output skips them). */
export const METHOD_NOT_ALLOWED_ROUTE = "method-not-allowed";

/**
 * The `:method` condition of a route that names its methods. Several are a bare alternation: Envoy
 * matches a header regex against the whole value, so anchors and a group would add nothing but
 * compile time (measured: a third less CPU than `^(GET|POST)$` at 3,000 routes).
 */
export function methodMatcher(route: RouteIR) {
  if (route.match.methods.length === 0) return [];
  const methods = routeMethods(route);
  const pattern = methods.length === 1 ? { case: "exact" as const, value: methods[0]! } : { case: "safeRegex" as const, value: { regex: methods.join("|") } };
  return [{ name: ":method", headerMatchSpecifier: { case: "stringMatch" as const, value: { matchPattern: pattern } } }];
}

/**
 * The answer to a method a path does not take: 405 and `Allow`. The problem+json body comes from
 * the connection manager's one local-reply mapper for 405 (local-replies.ts), not from every route.
 */
export function methodNotAllowed(methods: readonly HttpMethod[]) {
  return {
    action: { case: "directResponse" as const, value: { status: 405 } },
    // Direct responses have no upstream headers to append to: the default append action will do.
    responseHeadersToAdd: [{ header: { key: "allow", value: methods.join(", ") } }],
  };
}

/** The guard, for hosts where some route takes the default methods (see hasDefaultMethodRoute). */
export const UNKNOWN_METHOD_GUARD: RouteInit = {
  name: METHOD_NOT_ALLOWED_ROUTE,
  match: {
    pathSpecifier: { case: "prefix", value: "/" },
    headers: [{ name: ":method", headerMatchSpecifier: { case: "stringMatch", value: { matchPattern: { case: "safeRegex", value: { regex: DEFAULT_METHODS.join("|") } } } }, invertMatch: true }],
  },
  ...methodNotAllowed(DEFAULT_METHODS),
};

export const hasDefaultMethodRoute = (routes: readonly RouteIR[]): boolean => routes.some((route) => route.match.methods.length === 0);

/** The routes that share one match (path and header conditions), and every method they take. */
export interface MethodGroup {
  /** The first of them in match order: its match and id make the 405 route's. */
  readonly first: RouteIR;
  readonly methods: readonly HttpMethod[];
}

/** The same path and header conditions, whatever the methods. */
const matchKey = (match: RouteMatchIR) => JSON.stringify([match.kind, match.path, match.headers]);

/** The matches that need a 405 route, in match order: those whose routes all name their methods. */
export function methodGroups(routes: readonly RouteIR[]): MethodGroup[] {
  const groups = new Map<string, RouteIR[]>();
  for (const route of routes) {
    const key = matchKey(route.match);
    const group = groups.get(key);
    if (group) group.push(route);
    else groups.set(key, [route]);
  }
  return [...groups.values()].flatMap((group) =>
    hasDefaultMethodRoute(group) ? [] : [{ first: group[0]!, methods: group.length === 1 ? routeMethods(group[0]!) : [...new Set(group.flatMap(routeMethods))].sort() }],
  );
}
