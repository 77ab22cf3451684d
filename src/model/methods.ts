import type { HttpMethod, RouteIR } from "./ir.ts";

/** What a route without `methods` takes: the methods APIs use. Sorted, as the IR sorts methods. */
export const DEFAULT_METHODS: readonly HttpMethod[] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/**
 * The methods a route takes: the default seven, or its own plus HEAD wherever GET (as HTTP
 * expects) and OPTIONS wherever CORS (for preflights). Sorted.
 */
export function routeMethods(route: RouteIR): readonly HttpMethod[] {
  const own = route.match.methods;
  if (own.length === 0) return DEFAULT_METHODS;
  const implied: HttpMethod[] = [...(own.includes("GET") ? ["HEAD" as const] : []), ...(route.cors ? ["OPTIONS" as const] : [])];
  return [...new Set([...own, ...implied])].sort();
}
