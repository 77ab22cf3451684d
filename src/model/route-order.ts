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

/** The routes in match order, and the groups they came in (the next compile's look-up of what it kept). */
export interface RouteOrder {
  readonly routes: RouteIR[];
  readonly groups: ReadonlySet<readonly RouteIR[]>;
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

/**
 * Two lists in match order as one, in match order; undefined when two routes tie (never from
 * resolve: ids are unique). `second` is the short one (what an edit added): each of its routes
 * finds its place by binary search, and the runs of `first` between are copied over.
 */
export function mergeInOrder(first: readonly RouteIR[], second: readonly RouteIR[]): RouteIR[] | undefined {
  const merged: RouteIR[] = [];
  let from = 0;
  for (const route of second) {
    let low = from;
    let high = first.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareRoutes(first[middle]!, route);
      if (order === 0) return undefined;
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    for (let index = from; index < low; index++) merged.push(first[index]!);
    merged.push(route);
    from = low;
  }
  for (let index = from; index < first.length; index++) merged.push(first[index]!);
  return merged;
}

/**
 * `routes` (in match order) less `removed` (some of them): both walked in match order side by side,
 * so the thousands of routes kept are compared by identity, not looked up.
 */
function without(routes: readonly RouteIR[], removed: readonly RouteIR[]): readonly RouteIR[] {
  if (removed.length === 0) return routes;
  const going = [...removed].sort(compareRoutes);
  const kept: RouteIR[] = [];
  let next = 0;
  for (const route of routes) {
    if (route === going[next]) next++;
    else kept.push(route);
  }
  if (next === going.length) return kept;
  // A removed route out of place (not from resolve, whose last order is in match order): by look-up.
  const gone = new Set(removed);
  return routes.filter((route) => !gone.has(route));
}

/**
 * The routes of `groups` in match order. A group is one version's routes, which resolve hands back
 * as the same array while the version is unchanged (others, AI and MCP routes, are new each time).
 * With the last compile's order (`previous`), the routes of the groups both share keep their places
 * and only the new groups' routes are sorted and merged in: a one-route edit sorts one version's
 * routes, not thousands. The difference is recorded for routeOrderChange.
 */
export function sortRoutes(all: readonly (readonly RouteIR[])[], previous?: RouteOrder): RouteOrder {
  // An empty group adds nothing, and may be one shared constant: only groups with routes are compared.
  const groups = all.filter((group) => group.length > 0);
  const members = new Set(groups);
  const sorted = (): RouteOrder => ({ routes: groups.flat().sort(compareRoutes), groups: members });
  if (!previous || members.size !== groups.length) return sorted();
  // A route of a new group may also be in a group that went (a version resolved again from the same routes): it goes and comes back.
  const added = groups.filter((group) => !previous.groups.has(group)).flat().sort(compareRoutes);
  const removed = [...previous.groups].filter((group) => !members.has(group)).flat();
  const kept = without(previous.routes, removed);
  if (kept.length === 0) return sorted();
  // Equal ids would leave the order to the input's: sort it all, as a first compile does.
  const merged = mergeInOrder(kept, added);
  if (!merged) return sorted();
  changes.delete(previous.routes);
  changes.set(merged, { previous: previous.routes, added, removed });
  return { routes: merged, groups: members };
}
