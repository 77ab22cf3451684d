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

/** How one compile's routes differ from the last one's: passes update what they made of those instead of starting over. */
export interface RouteOrderChange {
  /** The last compile's routes (its IR's `routes`). */
  readonly previous: readonly RouteIR[];
  /** In match order. */
  readonly added: readonly RouteIR[];
  readonly removed: readonly RouteIR[];
}

/**
 * By the routes array of an IR. Only the newest compile's is kept (each is dropped when the next
 * is recorded), so no chain of earlier route lists stays alive.
 */
const changes = new WeakMap<readonly RouteIR[], RouteOrderChange>();

/** How `routes` differ from the last compile's, when resolve ordered them from it; undefined otherwise (a first compile, routes put together elsewhere). */
export function routeOrderChange(routes: readonly RouteIR[]): RouteOrderChange | undefined {
  return changes.get(routes);
}

/** Two lists in match order as one, in match order; undefined when two routes tie (never from resolve: ids are unique). */
export function mergeInOrder(first: readonly RouteIR[], second: readonly RouteIR[]): RouteIR[] | undefined {
  const merged: RouteIR[] = [];
  let f = 0;
  let s = 0;
  while (f < first.length && s < second.length) {
    const order = compareRoutes(first[f]!, second[s]!);
    if (order === 0) return undefined;
    merged.push(order < 0 ? first[f++]! : second[s++]!);
  }
  while (f < first.length) merged.push(first[f++]!);
  while (s < second.length) merged.push(second[s++]!);
  return merged;
}

/**
 * `routes` in match order. With the last compile's order (`previous`), the routes both share keep
 * their places and only the others are sorted and merged in: resolve hands back the same RouteIR
 * for a route that did not change, so a one-route edit sorts one route, not thousands. The
 * difference is recorded for routeOrderChange.
 */
export function sortRoutes(routes: RouteIR[], previous?: RouteOrder): RouteOrder {
  const members = new Set(routes);
  const sorted = (): RouteOrder => ({ routes: routes.sort(compareRoutes), members });
  if (!previous) return sorted();
  const kept: RouteIR[] = [];
  const removed: RouteIR[] = [];
  for (const route of previous.routes) (members.has(route) ? kept : removed).push(route);
  if (kept.length === 0) return sorted();
  // What the last compile did not have: every route it had and still has is in `kept`.
  const added = routes.filter((route) => !previous.members.has(route)).sort(compareRoutes);
  // Equal ids would leave the order to the input's: sort it all, as a first compile does.
  const merged = mergeInOrder(kept, added);
  if (!merged) return sorted();
  changes.delete(previous.routes);
  changes.set(merged, { previous: previous.routes, added, removed });
  return { routes: merged, members };
}
