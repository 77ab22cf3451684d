import type { RouteIR } from "./ir.ts";
import { routeOrderChange } from "./route-order.ts";

/** A fact of one route that depends on nothing else: the same RouteIR always gives the same answer. */
export type RouteTest = (route: RouteIR) => boolean;

/** Counts by the routes array of an IR and the test (each test a module-level function, so it is the same one every compile). */
const counted = new WeakMap<readonly RouteIR[], Map<RouteTest, number>>();

/**
 * How many of an IR's routes pass `test`, for the whole-gateway questions the translation asks on
 * every compile ("does any route take CORS?", "does any route need the JWT filter?"): from the last
 * compile's count and the routes added and removed since (routeOrderChange) where there is one, so
 * a one-route edit tests that route, not every route of the gateway.
 */
export function countRoutes(routes: readonly RouteIR[], test: RouteTest): number {
  let mine = counted.get(routes);
  const known = mine?.get(test);
  if (known !== undefined) return known;
  const change = routeOrderChange(routes);
  const last = change && counted.get(change.previous)?.get(test);
  const count = change && last !== undefined ? last - change.removed.filter(test).length + change.added.filter(test).length : routes.filter(test).length;
  if (!mine) counted.set(routes, (mine = new Map()));
  mine.set(test, count);
  return count;
}

/** Whether some route of `routes` (an IR's) passes `test` (see countRoutes). */
export const someRoute = (routes: readonly RouteIR[], test: RouteTest): boolean => countRoutes(routes, test) > 0;

/** Tests that more than one pass asks. */
export const publishesTools: RouteTest = (route) => Boolean(route.mcpRestTools);
export const isMcpEndpoint: RouteTest = (route) => Boolean(route.mcp);
export const limitedLocally: RouteTest = (route) => route.rateLimit?.mode === "local";
