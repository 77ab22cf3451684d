import type { RouteIR } from "./ir.ts";
import { applyEdit, type ListEdit } from "./list-edit.ts";

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

/**
 * How one compile's routes differ from the last one's: passes update what they made of those instead
 * of starting over. A route resolved again unchanged is the same object, so it is neither added nor
 * removed: it kept its place.
 */
export interface RouteOrderChange extends ListEdit {
  /** The last compile's routes (its IR's `routes`). */
  readonly previous: readonly RouteIR[];
  /** The routes the last compile did not have, in match order (at `addedAt`). */
  readonly added: readonly RouteIR[];
  /** The last compile's routes that are gone, in match order (they were at `removedAt`). */
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
    const at = firstNotBefore(first, route, from);
    if (at < first.length && compareRoutes(first[at]!, route) === 0) return undefined;
    for (let index = from; index < at; index++) merged.push(first[index]!);
    merged.push(route);
    from = at;
  }
  for (let index = from; index < first.length; index++) merged.push(first[index]!);
  return merged;
}

/** Where `route` is in `routes` (in match order, as resolve sorts them); -1 when it is not there. */
export function indexInOrder(routes: readonly RouteIR[], route: RouteIR): number {
  const at = firstNotBefore(routes, route);
  return routes[at] === route ? at : -1;
}

/** The first position from `from` in `routes` (in match order) whose route does not come before `route`. */
function firstNotBefore(routes: readonly RouteIR[], route: RouteIR, from = 0): number {
  let low = from;
  let high = routes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareRoutes(routes[middle]!, route) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The change from `previous` (in match order) to it without the routes of the groups that went and
 * with those of the groups that came; undefined when a route that came ties with one that stays
 * (never from resolve: ids are unique) or one that went is not in `previous`.
 */
function routeChange(previous: readonly RouteIR[], went: readonly RouteIR[], came: readonly RouteIR[]): RouteOrderChange | undefined {
  const wentSet = new Set(went);
  const cameSet = new Set(came);
  const removed = went.filter((route) => !cameSet.has(route)).sort(compareRoutes);
  const added = came.filter((route) => !wentSet.has(route)).sort(compareRoutes);
  const removedAt = removed.map((route) => indexInOrder(previous, route));
  if (removedAt.includes(-1)) return undefined;
  const goneAt = new Set(removedAt);
  const addedAt: number[] = [];
  // Both lists are in match order, so the count of removed routes before the place only grows.
  let goneBefore = 0;
  for (const [index, route] of added.entries()) {
    const at = firstNotBefore(previous, route);
    if (at < previous.length && compareRoutes(previous[at]!, route) === 0 && !goneAt.has(at)) return undefined;
    // Its place among the routes kept, then as many places further as routes added before it.
    while (goneBefore < removedAt.length && removedAt[goneBefore]! < at) goneBefore++;
    addedAt.push(at - goneBefore + index);
  }
  return { previous, added, removed, removedAt, addedAt };
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
  const came = groups.filter((group) => !previous.groups.has(group)).flat();
  const went = [...previous.groups].filter((group) => !members.has(group)).flat();
  const change = routeChange(previous.routes, went, came);
  // Nothing kept: sorted as a first compile is, with nothing to record.
  if (!change || change.removed.length === previous.routes.length) return sorted();
  const routes = applyEdit(previous.routes, change, change.added);
  changes.delete(previous.routes);
  changes.set(routes, change);
  return { routes, groups: members };
}
