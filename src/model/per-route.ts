import type { RouteIR } from "./ir.ts";

/**
 * A fact about a route worked out once: resolve hands back the same RouteIR for a route that did
 * not change, so the filters and route tables that ask for every route's on every compile find the
 * fact of an unchanged route by identity.
 */
export function perRoute<T>(compute: (route: RouteIR) => T): (route: RouteIR) => T {
  const computed = new WeakMap<RouteIR, T>();
  return (route) => {
    if (!computed.has(route)) computed.set(route, compute(route));
    return computed.get(route) as T;
  };
}
