/**
 * The route subjects of the policy view: one per IR route, in the IR's order, with the config path
 * its findings go to (its place in its version) and the waiver target that names it. A recompile
 * reuses the last compile's subjects for the routes it kept (routeOrderChange) without looking
 * each one up: a one-route edit builds that route's subject alone.
 */
import type { ApiIR, ApiVersionIR, GatewayIR, RouteIR, UnversionedRoutesIR } from "../model/ir.ts";
import { routeOrderChange } from "../model/route-order.ts";
import { beyondVersionAccess } from "./access-breadth.ts";
import { accessValue, rateLimitValue, sameAccess } from "./subject-values.ts";
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

/** The route subjects made for an IR's routes, and the APIs they were placed in. */
const madeFor = new WeakMap<readonly RouteIR[], { readonly apis: ReadonlyMap<string, ApiIR>; readonly subjects: readonly Subject[] }>();

/**
 * The subjects of `ir`'s routes, in its order. Where resolve recorded how the routes differ from the
 * last compile's, the two lists are walked side by side: a kept route whose API is the same ApiIR
 * has the subject it had (what routeSubject would find), and only added routes and routes of
 * changed APIs are looked at.
 */
export function routeSubjectsOf(ir: GatewayIR, apis: ReadonlyMap<string, ApiIR>): Subject[] {
  const place = placer(apis);
  const change = routeOrderChange(ir.routes);
  const last = change && madeFor.get(change.previous);
  let subjects: Subject[];
  if (!change || !last) subjects = ir.routes.map((route) => routeSubject(route, apis, place));
  else {
    const changedApis = new Set([...apis].flatMap(([name, api]) => (last.apis.get(name) === api ? [] : [name])));
    const removed = new Set(change.removed);
    const before = change.previous;
    subjects = [];
    let at = 0;
    for (const route of ir.routes) {
      while (at < before.length && removed.has(before[at]!)) at++;
      const kept = before[at] === route;
      subjects.push(kept && !changedApis.has(route.api) ? last.subjects[at]! : routeSubject(route, apis, place));
      if (kept) at++;
    }
  }
  madeFor.set(ir.routes, { apis, subjects });
  return subjects;
}
