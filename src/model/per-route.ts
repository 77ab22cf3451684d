import type { RouteIR } from "./ir.ts";

const NONE = Symbol("none");

/**
 * A fact about a route worked out once: resolve hands back the same RouteIR for a route that did
 * not change, so the filters and route tables that ask for every route's on every compile find the
 * fact of an unchanged route by identity.
 */
export function perRoute<T>(compute: (route: RouteIR) => T): (route: RouteIR) => T {
  // Undefined is a fact too: kept as NONE, so every call is one lookup (filters ask for all routes' facts each compile).
  const computed = new WeakMap<RouteIR, T | typeof NONE>();
  return (route) => {
    let fact = computed.get(route);
    if (fact === undefined) computed.set(route, (fact = compute(route) ?? NONE));
    return (fact === NONE ? undefined : fact) as T;
  };
}
