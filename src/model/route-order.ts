import type { RouteIR } from "./ir.ts";

const KIND_RANK = { exact: 0, template: 1, prefix: 2 } as const;

/**
 * Envoy takes the first route that matches, so more specific routes go first: exact paths, then
 * templates, then prefixes; longer paths first; routes with header or method conditions before
 * those without. The id breaks ties so the order never depends on input order.
 */
export function compareRoutes(a: RouteIR, b: RouteIR): number {
  return (
    KIND_RANK[a.match.kind] - KIND_RANK[b.match.kind] ||
    b.match.path.length - a.match.path.length ||
    b.match.headers.length - a.match.headers.length ||
    Number(b.match.methods.length > 0) - Number(a.match.methods.length > 0) ||
    (a.match.path < b.match.path ? -1 : a.match.path > b.match.path ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
