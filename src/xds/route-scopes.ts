/**
 * Route scopes (Envoy's scoped RDS): a listener's routes split into one route configuration per
 * first path segment — `/v1/...`, `/v2/...`, `/ai/...` — each named by a ScopedRouteConfiguration
 * whose key is (listener, segment). Envoy rebuilds a route configuration whole on every update, so
 * with one table per listener a one-route edit costs the whole table; with scopes, served over
 * delta xDS, it costs its own scope (bench/propagation.bench.ts measures both).
 *
 * The key is read from a header the connection manager sets before route selection to the
 * listener's name followed by the normalized path without its query (`http/v1/orders`): `:path`
 * itself cannot serve, since `/v1?x=1` would have the key `v1?x=1`. The listener's name is part of
 * the key because Envoy hands every scoped listener of a node every scope (SRDS is a wildcard
 * subscription). A request whose segment has no scope gets the 404 of an unmatched route.
 *
 * A listener keeps one route table when a route does not start with a literal segment (`/`, a
 * template variable), or when a filter re-routes a request to a path under another segment after
 * the key was taken (the MCP JSON-REST bridge; the Responses API under an AI base path of `/`).
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { HeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import type { ScopedRoutesSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { ROUTE_SCOPE_HEADER } from "../model/route-scope-header.ts";
import { ADS, typedExtensionConfig } from "./proto.ts";
import { makeResource, type XdsResource } from "./snapshot.ts";

/** Unreserved characters only: a segment path normalization leaves exactly as the route spells it. */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** The first segment of a path when it is literal (`/v1/orders` → `v1`); undefined for `/`, `/{id}`, `/*`. */
export function scopeKey(path: string): string | undefined {
  const segment = path.split("/")[1];
  return segment && LITERAL_SEGMENT.test(segment) ? segment : undefined;
}

export interface RouteScope {
  /** The route configuration and the ScopedRouteConfiguration naming it: `<listener>/<segment>`. */
  readonly name: string;
  readonly segment: string;
  readonly routes: readonly RouteIR[];
}

/** The routes a listener serves: those with at least one of its host names, in IR order. */
export function listenerRoutes(ir: GatewayIR, listener: ListenerIR): RouteIR[] {
  const hostnames = new Set(listener.hostnames);
  return ir.routes.filter((route) => route.hostnames.some((hostname) => hostnames.has(hostname)));
}

/** Whether a processor or filter sends some request on to a path under another first segment. */
function reroutesAcrossSegments(ir: GatewayIR): boolean {
  if (ir.routes.some((route) => route.mcpRestTools)) return true;
  // The AI processor turns a Responses API call into a chat completion under the same base path.
  return ir.ai !== undefined && scopeKey(`${ir.ai.basePath}/responses`) !== scopeKey(`${ir.ai.basePath}/chat/completions`);
}

/** The listener's routes by first segment, segments sorted; undefined when it keeps one route table. */
export function routeScopes(ir: GatewayIR, routes: readonly RouteIR[], listener: ListenerIR): RouteScope[] | undefined {
  if (routes.length === 0 || reroutesAcrossSegments(ir)) return undefined;
  const bySegment = new Map<string, RouteIR[]>();
  for (const route of routes) {
    const segment = scopeKey(route.match.path);
    if (segment === undefined) return undefined;
    const scoped = bySegment.get(segment);
    if (scoped) scoped.push(route);
    else bySegment.set(segment, [route]);
  }
  return [...bySegment.keys()].sort().map((segment) => ({ name: `${listener.name}/${segment}`, segment, routes: bySegment.get(segment)! }));
}

/** Whether the listener's routes are split into scopes. */
export function isScoped(ir: GatewayIR, listener: ListenerIR): boolean {
  return routeScopes(ir, listenerRoutes(ir, listener), listener) !== undefined;
}

/** Names of the listener's route configurations (and of its scopes, which share them). */
export function routeTableNames(ir: GatewayIR, listener: ListenerIR): string[] {
  return routeScopes(ir, listenerRoutes(ir, listener), listener)?.map((scope) => scope.name) ?? [listener.name];
}

/** The SRDS resource that sends requests of (listener, segment) to the scope's route configuration. */
export function scopeResource(listener: ListenerIR, scope: RouteScope): XdsResource {
  const fragments = [listener.name, scope.segment].map((value) => ({ type: { case: "stringKey" as const, value } }));
  return makeResource(ScopedRouteConfigurationSchema, scope.name, create(ScopedRouteConfigurationSchema, { name: scope.name, routeConfigurationName: scope.name, key: { fragments } }));
}

/** The connection manager's route specifier for a scoped listener: scopes and their routes over ADS. */
export function scopedRoutes(listener: ListenerIR): MessageInitShape<typeof ScopedRoutesSchema> {
  const part = (index: number) => ({ type: { case: "headerValueExtractor" as const, value: { name: ROUTE_SCOPE_HEADER, elementSeparator: "/", extractType: { case: "index" as const, value: index } } } });
  return {
    name: listener.name,
    scopeKeyBuilder: { fragments: [part(0), part(1)] },
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
  return typedExtensionConfig("envoy.http.early_header_mutation.header_mutation", HeaderMutationSchema, {
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
