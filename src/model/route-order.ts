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

/** The routes in match order, and the same routes as a set (the next compile's look-up of what it kept). */
export interface RouteOrder {
  readonly routes: RouteIR[];
  readonly members: ReadonlySet<RouteIR>;
}

/**
 * `routes` in match order. With the last compile's order (`previous`), the routes both share keep
 * their places and only the others are sorted and merged in: resolve hands back the same RouteIR
 * for a route that did not change, so a one-route edit sorts one route, not thousands.
 */
export function sortRoutes(routes: RouteIR[], previous?: RouteOrder): RouteOrder {
  const members = new Set(routes);
  const sorted = (): RouteOrder => ({ routes: routes.sort(compareRoutes), members });
  if (!previous) return sorted();
  const kept = previous.routes.filter((route) => members.has(route));
  if (kept.length === 0) return sorted();
  // What the last compile did not have: every route it had and still has is in `kept`.
  const added = routes.filter((route) => !previous.members.has(route)).sort(compareRoutes);
  const merged: RouteIR[] = [];
  let k = 0;
  let a = 0;
  while (k < kept.length && a < added.length) {
    const order = compareRoutes(kept[k]!, added[a]!);
    // Equal ids (never from resolve) would leave the order to the input's: sort it all, as a first compile does.
    if (order === 0) return sorted();
    merged.push(order < 0 ? kept[k++]! : added[a++]!);
  }
  while (k < kept.length) merged.push(kept[k++]!);
  while (a < added.length) merged.push(added[a++]!);
  return { routes: merged, members };
}
