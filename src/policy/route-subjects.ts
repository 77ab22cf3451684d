/**
 * The route subjects of the policy view: one per IR route, in the IR's order, with the config path
 * its findings go to (its place in its version) and the waiver target that names it. A recompile
 * reuses the last compile's subjects for the routes it kept (routeOrderChange) without looking
 * each one up: a one-route edit builds the subjects of that route and its API's routes alone.
 */
import type { ApiIR, ApiVersionIR, GatewayIR, RouteIR, UnversionedRoutesIR } from "../model/ir.ts";
import { applyEdit, type ListEdit } from "../model/list-edit.ts";
import { indexInOrder, mergeInOrder, type RouteOrderChange, routeOrderChange } from "../model/route-order.ts";
import { beyondVersionAccess } from "./access-breadth.ts";
import { accessValue, rateLimitValue, sameAccess, type Value } from "./subject-values.ts";
import type { Subject } from "./view.ts";

/** A route's version, or for an unversioned route its API's `unversioned` section. */
type VersionIR = ApiVersionIR | UnversionedRoutesIR;

/** What a route's subject reads of its API and version besides the route itself. */
interface Placement {
  readonly api: ApiIR | undefined;
  readonly version: VersionIR | undefined;
  /** The route's position among its version's routes (its findings' config path); -1 when not listed. */
  readonly index: number;
  /** The version's access as JSON. */
  readonly access: string | undefined;
}

/** What a route subject is built from besides the route: equal for equal subjects. */
interface PlacementKey {
  readonly apiIndex: number | undefined;
  readonly index: number;
  readonly access: string | undefined;
}

const placementKey = (placement: Placement): PlacementKey => ({ apiIndex: placement.api?.index, index: placement.index, access: placement.access });
const samePlacement = (a: PlacementKey, b: Placement) => a.apiIndex === b.api?.index && a.index === b.index && a.access === b.access;

/**
 * Route subjects by IR route. Resolve hands back the same RouteIR for a route that did not change,
 * so after a one-route edit every other route's subject (and the rule results remembered for it,
 * src/policy/evaluate.ts) is reused, as long as its placement is the same.
 */
const routeSubjects = new WeakMap<RouteIR, { readonly api: ApiIR | undefined; readonly placement: PlacementKey; readonly subject: Subject }>();

/** Places routes in their versions, reading each version's access and route order once per view. */
function placer(apis: ReadonlyMap<string, ApiIR>) {
  const versions = new Map<VersionIR, { readonly access: string; readonly index: ReadonlyMap<string, number> }>();
  return (route: RouteIR): Placement => {
    const api = apis.get(route.api);
    // An unversioned route's section (`apis[].unversioned`) plays the part of its version.
    const version = route.unversioned ? api?.unversioned : api?.versions.find((v) => v.name === route.version);
    let facts = version && versions.get(version);
    if (version && !facts) versions.set(version, (facts = { access: JSON.stringify(version.access ?? null), index: new Map(version.routes.map((name, index) => [name, index])) }));
    return { api, version, index: facts?.index.get(route.name) ?? -1, access: facts?.access };
  };
}

/**
 * The route's subject: the one it had, when its API is the same ApiIR (resolve keeps an unchanged
 * API's, so its versions, order and access are the same) or its placement is equal; else a new one.
 */
function routeSubject(route: RouteIR, apis: ReadonlyMap<string, ApiIR>, place: (route: RouteIR) => Placement): Subject {
  const api = apis.get(route.api);
  const remembered = routeSubjects.get(route);
  if (remembered && remembered.api === api) return remembered.subject;
  const placement = place(route);
  const subject = remembered && samePlacement(remembered.placement, placement) ? remembered.subject : newRouteSubject(route, placement);
  routeSubjects.set(route, { api, placement: placementKey(placement), subject });
  return subject;
}

function newRouteSubject(route: RouteIR, { api, version, index }: Placement): Subject {
  const versionPath = route.unversioned ? ["apis", api?.index ?? 0, "unversioned"] : ["apis", api?.index ?? 0, "versions", route.version];
  const path = route.ai ? ["ai"] : index < 0 ? versionPath : [...versionPath, "routes", index];
  const inherited = version?.access !== undefined && sameAccess(route.access, version.access);
  const cors = route.cors;
  const rateLimit = route.rateLimit;
  return {
    kind: "route",
    target: route.ai ? `ai.routes.${route.name}` : route.unversioned ? `apis.${route.api}.unversioned.routes.${route.name}` : `apis.${route.api}.versions.${route.version}.routes.${route.name}`,
    path,
    accessPath: route.ai ? ["ai", "access"] : inherited ? [...versionPath, "access"] : [...path, "access"],
    value: {
      id: route.id.replace(/\.default$/, ""),
      api: route.api,
      version: route.version,
      name: route.name,
      path: route.match.path,
      matchKind: route.match.kind,
      methods: route.match.methods,
      hostnames: route.hostnames,
      state: route.lifecycle.state,
      action: route.action.kind,
      upstream: route.action.kind === "forward" ? route.action.cluster : "",
      access: accessValue(route.access),
      ...(version?.access ? { versionAccess: accessValue(version.access) } : {}),
      beyondVersionAccess: route.ai ? [] : beyondVersionAccess(route.access, version?.access),
      ...(rateLimit ? { rateLimit: rateLimitValue(rateLimit) } : {}),
      ...(cors ? { cors: { origins: cors.origins, methods: cors.methods, credentials: cors.credentials, maxAgeSeconds: cors.maxAgeSeconds } } : {}),
      ai: route.ai !== undefined,
    },
  };
}

/** A view's route subjects, in its IR's route order, and its routes by API. */
export interface RouteSubjects {
  readonly subjects: readonly Subject[];
  /** Their values, in the same order (what the gateway value lists as its routes). */
  readonly values: readonly Value[];
  /** Each API's routes (by `route.api`), in match order. */
  readonly byApi: ReadonlyMap<string, readonly RouteIR[]>;
  /** How `subjects` follow from the last compile's, where they were updated from those. */
  readonly change?: RouteSubjectsChange;
}

/**
 * The last compile's route subjects (`previous`) edited as its routes were, and every position whose
 * subject may not be the one from its old place (`renewedAt`, ascending; the added ones among them).
 * Anything else is the same subject object it was.
 */
export interface RouteSubjectsChange extends ListEdit {
  readonly previous: readonly Subject[];
  readonly renewedAt: readonly number[];
}

/** Route subjects as made, with the APIs they were placed in. */
type LastSubjects = RouteSubjects & { readonly apis: ReadonlyMap<string, ApiIR> };

/** The route subjects made for an IR's routes. */
const madeFor = new WeakMap<readonly RouteIR[], LastSubjects>();

/**
 * The subjects of `ir`'s routes, in its order. Where resolve recorded how the routes differ from the
 * last compile's, a kept route whose API is the same ApiIR has the subject it had (what routeSubject
 * would find), and only the added routes and the routes of changed APIs are looked at: found by
 * position, without a walk over the thousands kept, unless so many changed that the walk is cheaper.
 */
export function routeSubjectsOf(ir: GatewayIR, apis: ReadonlyMap<string, ApiIR>): RouteSubjects {
  const place = placer(apis);
  const change = routeOrderChange(ir.routes);
  const last = change && madeFor.get(change.previous);
  const made = (change && last && (edited(ir, apis, place, change, last) ?? walked(ir, apis, place, change, last))) || fromEveryRoute(ir, apis, place);
  madeFor.set(ir.routes, { ...made, apis });
  return made;
}

type Place = (route: RouteIR) => Placement;

function routesByApi(routes: readonly RouteIR[]): Map<string, RouteIR[]> {
  const byApi = new Map<string, RouteIR[]>();
  for (const route of routes) {
    const list = byApi.get(route.api);
    if (list) list.push(route);
    else byApi.set(route.api, [route]);
  }
  return byApi;
}

function fromEveryRoute(ir: GatewayIR, apis: ReadonlyMap<string, ApiIR>, place: Place): RouteSubjects {
  const subjects = ir.routes.map((route) => routeSubject(route, apis, place));
  return { subjects, values: subjects.map((subject) => subject.value), byApi: routesByApi(ir.routes) };
}

/** The names of the APIs that are not the same ApiIR as in the last compile (or are in one of the two only). */
function changedApis(apis: ReadonlyMap<string, ApiIR>, last: ReadonlyMap<string, ApiIR>): string[] {
  const names = new Set([...apis.keys(), ...last.keys()]);
  return [...names].filter((name) => apis.get(name) !== last.get(name));
}

/** The last compile's routes of each API, less those removed and with those added; undefined when two tie. */
function updatedByApi(last: ReadonlyMap<string, readonly RouteIR[]>, change: RouteOrderChange): Map<string, readonly RouteIR[]> | undefined {
  const byApi = new Map(last);
  const removed = new Set(change.removed);
  const added = routesByApi(change.added);
  for (const name of new Set([...change.removed.map((route) => route.api), ...added.keys()])) {
    const routes = mergeInOrder((byApi.get(name) ?? []).filter((route) => !removed.has(route)), added.get(name) ?? []);
    if (!routes) return undefined;
    if (routes.length > 0) byApi.set(name, routes);
    else byApi.delete(name);
  }
  return byApi;
}

/** The last subjects edited by position; undefined when the routes of changed APIs are too many to place one by one. */
function edited(ir: GatewayIR, apis: ReadonlyMap<string, ApiIR>, place: Place, change: RouteOrderChange, last: LastSubjects): RouteSubjects | undefined {
  const byApi = updatedByApi(last.byApi, change);
  if (!byApi) return undefined;
  const renewed = changedApis(apis, last.apis).flatMap((name) => byApi.get(name) ?? []);
  // Each is found by a binary search; past an eighth of the routes, one walk beside the last list costs less.
  if (renewed.length > ir.routes.length / 8) return undefined;
  const added = change.added.map((route) => routeSubject(route, apis, place));
  const subjects = applyEdit(last.subjects, change, added);
  const values = applyEdit(last.values, change, added.map((subject) => subject.value));
  const renewedAt = new Set(change.addedAt);
  for (const route of renewed) {
    const at = indexInOrder(ir.routes, route);
    if (at < 0) return undefined;
    subjects[at] = routeSubject(route, apis, place);
    values[at] = subjects[at]!.value;
    renewedAt.add(at);
  }
  const edit = { previous: last.subjects, removedAt: change.removedAt, addedAt: change.addedAt, renewedAt: [...renewedAt].sort((a, b) => a - b) };
  return { subjects, values, byApi, change: edit };
}

/** The two lists walked side by side: kept routes of unchanged APIs keep their subjects. */
function walked(ir: GatewayIR, apis: ReadonlyMap<string, ApiIR>, place: Place, change: RouteOrderChange, last: LastSubjects): RouteSubjects {
  const changed = new Set(changedApis(apis, last.apis));
  const removed = new Set(change.removed);
  const before = change.previous;
  const subjects: Subject[] = [];
  let at = 0;
  for (const route of ir.routes) {
    while (at < before.length && removed.has(before[at]!)) at++;
    const kept = before[at] === route;
    subjects.push(kept && !changed.has(route.api) ? last.subjects[at]! : routeSubject(route, apis, place));
    if (kept) at++;
  }
  return { subjects, values: subjects.map((subject) => subject.value), byApi: routesByApi(ir.routes) };
}
