/**
 * Route scopes (Envoy's scoped RDS): a listener's routes split into one route configuration per
 * leading path segments — `/v1/orders/...`, `/v2/orders/...`, `/ai/v1/...` — each named by a
 * ScopedRouteConfiguration whose key is (listener, segments). Envoy rebuilds a route configuration
 * whole on every update, so with one table per listener a one-route edit costs the whole table;
 * with scopes, served over delta xDS, it costs its own scope (bench/propagation.bench.ts).
 *
 * The key is read from a header the connection manager sets before route selection to the
 * listener's name followed by the normalized path without its query (`http/v1/orders`): `:path`
 * itself cannot serve, since `/health?x=1` would have the key `health?x=1`. The listener's name is
 * part of the key because Envoy hands every scoped listener of a node every scope (SRDS is a
 * wildcard subscription). A request whose segments have no scope gets the 404 of an unmatched route.
 *
 * A listener keeps one route table when a route does not start with a literal segment (`/`, a
 * template variable), or when a filter re-routes a request to a path of another scope after the
 * key was taken (the MCP JSON-REST bridge; the Responses API under an AI base path of `/`).
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import { type ScopedRouteConfiguration, ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { HeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import type { ScopedRoutesSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { perRoute } from "../model/per-route.ts";
import { RouteChangeMemo } from "../model/route-change-memo.ts";
import { mergeInOrder, type RouteOrderChange } from "../model/route-order.ts";
import { ROUTE_SCOPE_HEADER } from "../model/route-scope-header.ts";
import { perListener } from "./per-listener.ts";
import { ADS, sharedExtensionConfig } from "./proto.ts";
import { makeResource, type XdsResource } from "./snapshot.ts";
import { publishesTools, someRoute } from "../model/route-counts.ts";

/** Unreserved characters only: a segment path normalization leaves exactly as the route spells it. */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * Scope keys take the first two segments where every route has them (`/v1/orders/...` → v1,
 * orders: one scope per API version, not one per version), else the first.
 */
const DEPTHS = [2, 1] as const;

/**
 * The first `depth` segments of a path when they are literal (`/v1/orders/{id}` → [v1, orders]);
 * undefined when the path has fewer, or one is `{id}`, `*`, empty.
 */
export function scopeKey(path: string, depth: number): string[] | undefined {
  const segments = path.split("/").slice(1, depth + 1);
  return segments.length === depth && segments.every((segment) => LITERAL_SEGMENT.test(segment)) ? segments : undefined;
}

/** A route's scope key at each depth, joined with `/`. */
const scopeKeysAt = new Map(DEPTHS.map((depth) => [depth, perRoute((route) => scopeKey(route.match.path, depth)?.join("/"))]));

const routeScopeKey = (route: RouteIR, depth: (typeof DEPTHS)[number]): string | undefined => scopeKeysAt.get(depth)!(route);

export interface RouteScope {
  /** The route configuration and the ScopedRouteConfiguration naming it: `<listener>/<segments>`. */
  readonly name: string;
  readonly segments: readonly string[];
  readonly routes: readonly RouteIR[];
}

export interface ListenerScopes {
  /** How many leading path segments the key takes. */
  readonly depth: number;
  /** Sorted by name. */
  readonly scopes: readonly RouteScope[];
}

/** The routes a listener serves: those with at least one of its host names, in IR order. */
export function listenerRoutes(ir: GatewayIR, listener: ListenerIR): RouteIR[] {
  const hostnames = new Set(listener.hostnames);
  // Routes of one API share their host names list: each list is looked at once.
  const served = new Map<readonly string[], boolean>();
  return ir.routes.filter((route) => {
    let serves = served.get(route.hostnames);
    if (serves === undefined) served.set(route.hostnames, (serves = route.hostnames.some((hostname) => hostnames.has(hostname))));
    return serves;
  });
}

/** Whether a processor or filter sends some request on to a path of another scope. */
function reroutesAcrossScopes(ir: GatewayIR, depth: number): boolean {
  if (someRoute(ir.routes, publishesTools)) return true;
  // The AI processor turns a Responses API call into a chat completion under the same base path.
  if (!ir.ai) return false;
  const [responses, chat] = [`${ir.ai.basePath}/responses`, `${ir.ai.basePath}/chat/completions`].map((path) => scopeKey(path, depth)?.join("/"));
  return responses !== chat;
}

function scopesAt(ir: GatewayIR, routes: readonly RouteIR[], listener: ListenerIR, depth: (typeof DEPTHS)[number]): ListenerScopes | undefined {
  if (reroutesAcrossScopes(ir, depth)) return undefined;
  const byKey = new Map<string, { segments: string[]; routes: RouteIR[] }>();
  for (const route of routes) {
    const key = routeScopeKey(route, depth);
    if (key === undefined) return undefined;
    const scoped = byKey.get(key);
    if (scoped) scoped.routes.push(route);
    else byKey.set(key, { segments: key.split("/"), routes: [route] });
  }
  const scopes = [...byKey.keys()].sort().map((key) => ({ name: `${listener.name}/${key}`, ...byKey.get(key)! }));
  return { depth, scopes };
}

/** The listener's routes in scopes, at the deepest key every route has; undefined when it keeps one route table. */
function routeScopes(ir: GatewayIR, routes: readonly RouteIR[], listener: ListenerIR): ListenerScopes | undefined {
  if (routes.length === 0) return undefined;
  for (const depth of DEPTHS) {
    const scoped = scopesAt(ir, routes, listener, depth);
    if (scoped) return scoped;
  }
  return undefined;
}

/** A listener's scopes, by its IR's routes and what they depend on besides the routes (`scopesKey`). */
const scopesMemo = new RouteChangeMemo<string, ListenerScopes | undefined>();

const scopesKey = (ir: GatewayIR, listener: ListenerIR) => JSON.stringify([listener.name, listener.hostnames, ir.ai?.basePath ?? null]);

const byName = (a: RouteScope, b: RouteScope) => (a.name < b.name ? -1 : 1);

/**
 * `last` (a listener's scopes at the deepest key, made for the last compile's routes) with the
 * routes added and removed since; undefined where that would not be what routeScopes makes now:
 * an added route without a key at that depth, or one whose filter re-routes across scopes. A
 * scope's routes stay in match order (the IR's order) by merging; untouched scopes are the same objects.
 */
function updatedScopes(last: ListenerScopes, change: RouteOrderChange, listener: ListenerIR): ListenerScopes | undefined {
  const depth = DEPTHS[0];
  if (last.depth !== depth) return undefined;
  const hostnames = new Set(listener.hostnames);
  const touched = new Map<string, { added: RouteIR[]; removed: Set<RouteIR> }>();
  const touch = (key: string) => {
    let scope = touched.get(key);
    if (!scope) touched.set(key, (scope = { added: [], removed: new Set() }));
    return scope;
  };
  for (const [routes, side] of [[change.added, "added"], [change.removed, "removed"]] as const) {
    for (const route of routes) {
      // Any listener's route that re-routes across scopes keeps every listener to one table (reroutesAcrossScopes).
      if (route.mcpRestTools) return undefined;
      if (!route.hostnames.some((hostname) => hostnames.has(hostname))) continue;
      const key = routeScopeKey(route, depth);
      if (key === undefined) return undefined;
      if (side === "added") touch(key).added.push(route);
      else touch(key).removed.add(route);
    }
  }
  if (touched.size === 0) return last;
  const scopes = new Map(last.scopes.map((scope) => [scope.name, scope]));
  for (const [key, { added, removed }] of touched) {
    const name = `${listener.name}/${key}`;
    const before = scopes.get(name);
    const routes = mergeInOrder(before?.routes.filter((route) => !removed.has(route)) ?? [], added);
    if (!routes) return undefined;
    if (routes.length === 0) scopes.delete(name);
    else scopes.set(name, { name, segments: before?.segments ?? key.split("/"), routes });
  }
  return scopes.size === 0 ? undefined : { depth, scopes: [...scopes.values()].sort(byName) };
}

/**
 * The listener's routes in scopes (see routeScopes), worked out once per IR: from the last
 * compile's scopes and the routes that changed since (routeOrderChange) where it can, so a
 * one-route edit looks at one route, not every route of the listener.
 */
export const listenerScopes = perListener((ir, listener) =>
  scopesMemo.get(
    ir.routes,
    scopesKey(ir, listener),
    () => routeScopes(ir, listenerRoutes(ir, listener), listener),
    (last, change) => last && updatedScopes(last, change, listener),
  ),
);

/** One route configuration of a listener: a scope's, or (unscoped) the listener's own. */
export interface RouteTable {
  readonly name: string;
  readonly routes: readonly RouteIR[];
  readonly scope?: RouteScope;
}

/** The listener's route tables: one per scope, or one named after the listener. */
export function listenerTables(ir: GatewayIR, listener: ListenerIR): RouteTable[] {
  const scopes = listenerScopes(ir, listener);
  return scopes ? scopes.scopes.map((scope) => ({ name: scope.name, routes: scope.routes, scope })) : [{ name: listener.name, routes: listenerRoutes(ir, listener) }];
}

/** Whether a scope belongs to the named listener: its key starts with the listener's name (see scopeResource). */
export function isScopeOf(scope: ScopedRouteConfiguration, listener: string): boolean {
  return scope.key?.fragments[0]?.type.value === listener;
}

/** The SRDS resource that sends requests of (listener, segment) to the scope's route configuration. */
export function scopeResource(listener: ListenerIR, scope: RouteScope): XdsResource {
  const fragments = [listener.name, ...scope.segments].map((value) => ({ type: { case: "stringKey" as const, value } }));
  return makeResource(ScopedRouteConfigurationSchema, scope.name, create(ScopedRouteConfigurationSchema, { name: scope.name, routeConfigurationName: scope.name, key: { fragments } }));
}

/**
 * The connection manager's route specifier for a scoped listener: scopes and their routes over ADS.
 * The key is the listener's name and `depth` segments; a path with fewer has no scope (404).
 */
export function scopedRoutes(listener: ListenerIR, depth: number): MessageInitShape<typeof ScopedRoutesSchema> {
  const part = (index: number) => ({ type: { case: "headerValueExtractor" as const, value: { name: ROUTE_SCOPE_HEADER, elementSeparator: "/", extractType: { case: "index" as const, value: index } } } });
  return {
    name: listener.name,
    scopeKeyBuilder: { fragments: Array.from({ length: depth + 1 }, (_, index) => part(index)) },
    rdsConfigSource: ADS,
    configSpecifier: { case: "scopedRds", value: { scopedRdsConfigSource: ADS } },
  };
}

/**
 * Writes the scope key header (`<listener><normalized path without query>`) before route selection;
 * a client's own copy is overwritten. Listener names are `[a-z][a-z0-9-]*`: no `/`, and no `%` the
 * formatter would read.
 */
export function routeScopeKeyHeader(listener: ListenerIR) {
  return sharedExtensionConfig("envoy.http.early_header_mutation.header_mutation", HeaderMutationSchema, {
    mutations: [
      {
        action: {
          case: "append",
          value: { header: { key: ROUTE_SCOPE_HEADER, value: `${listener.name}%PATH(NQ)%` }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD },
        },
      },
    ],
  });
}
