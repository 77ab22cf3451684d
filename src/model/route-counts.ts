import type { RouteIR } from "./ir.ts";
import { RouteChangeMemo } from "./route-change-memo.ts";

/** A fact of one route that depends on nothing else: the same RouteIR always gives the same answer. */
export type RouteTest = (route: RouteIR) => boolean;

const counts = new RouteChangeMemo<RouteTest, number>();

function counted(routes: readonly RouteIR[], test: RouteTest): number {
  let count = 0;
  for (const route of routes) if (test(route)) count++;
  return count;
}

/**
 * How many of an IR's routes pass `test`, for the whole-gateway questions the translation asks on
 * every compile ("does any route take CORS?", "does any route need the JWT filter?"): from the last
 * compile's count and the routes added and removed since (RouteChangeMemo), so a one-route edit
 * tests that route, not every route of the gateway. Each test is a module-level function, so it is
 * the same key every compile.
 */
export function countRoutes(routes: readonly RouteIR[], test: RouteTest): number {
  return counts.get(routes, test, () => counted(routes, test), (last, change) => last - counted(change.removed, test) + counted(change.added, test));
}

/** Whether some route of `routes` (an IR's) passes `test` (see countRoutes). */
export const someRoute = (routes: readonly RouteIR[], test: RouteTest): boolean => countRoutes(routes, test) > 0;

/** Tests that more than one pass asks. */
export const publishesTools: RouteTest = (route) => Boolean(route.mcpRestTools);
export const isMcpEndpoint: RouteTest = (route) => Boolean(route.mcp);
export const limitedLocally: RouteTest = (route) => route.rateLimit?.mode === "local";
