import { create, toBinary } from "@bufbuild/protobuf";
import { VirtualHostSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { sameItems } from "../same-items.ts";
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { hostConfig, routeWrite } from "./host-access.ts";
import { sortedRecord } from "./proto.ts";
import { DOT_SEGMENT_GUARD } from "./route-guards.ts";
import { hasDefaultMethodRoute, METHOD_NOT_ALLOWED_ROUTE, type MethodGroup, methodGroups, methodNotAllowed, UNKNOWN_METHOD_GUARD } from "./route-methods.ts";
import { type EncodedRoute, HOISTABLE_FILTERS, RouteVariants } from "./route-variants.ts";
import { pathAndHeaders, route as translateRoute } from "./route.ts";
import { GenerationCache } from "../model/generation-cache.ts";
import { ROUTE_SCOPE_HEADER } from "../model/route-scope-header.ts";
import { apiMetadata, metadataOnHosts, nameWithinVersion } from "./route-metadata.ts";
import { listenerTables, scopeResource } from "./route-scopes.ts";
import { makeResourceFromBytes, type XdsResource } from "./snapshot.ts";
import { splice } from "./wire.ts";

export type { EncodedRoute };

const VIRTUAL_HOST_ROUTES_FIELD = 3;
const ROUTE_CONFIGURATION_VIRTUAL_HOSTS_FIELD = 2;

/**
 * Encoded routes by IR route. Resolve hands back the same (immutable) RouteIR objects for API
 * versions that did not change, so identity is a safe key; a WeakMap lets old ones go.
 */
export interface RouteCache {
  readonly routes: WeakMap<RouteIR, RouteVariants>;
  /** 405 routes by the first IR route of their match, with the Allow list they were made for. */
  readonly methodNotAllowed: WeakMap<RouteIR, { readonly allow: string; readonly variants: RouteVariants }>;
  /**
   * Route tables by name, with the host names and routes they were built from: after a one-route
   * edit only the edited route scope's table is built and encoded again. One generation per compile.
   */
  readonly tables: GenerationCache<BuiltTable>;
  /** Scope resources by name: a scope's name (`<listener>/<segments>`) is all it is made of. */
  readonly scopes: GenerationCache<XdsResource>;
}

interface BuiltTable {
  readonly hostnames: readonly string[];
  readonly routes: readonly RouteIR[];
  /** Whether the virtual hosts carry the routes' metadata. */
  readonly onHosts: boolean;
  readonly resource: XdsResource<typeof RouteConfigurationSchema>;
}

export function newRouteCache(): RouteCache {
  return { routes: new WeakMap(), methodNotAllowed: new WeakMap(), tables: new GenerationCache(), scopes: new GenerationCache() };
}


function configRoute(ir: RouteIR, cache: RouteCache): RouteVariants {
  let variants = cache.routes.get(ir);
  if (!variants) cache.routes.set(ir, (variants = new RouteVariants(translateRoute(ir), nameWithinVersion(ir))));
  return variants;
}

const GUARD = new RouteVariants(UNKNOWN_METHOD_GUARD);
const DOT_SEGMENTS = new RouteVariants(DOT_SEGMENT_GUARD);

/** The 405 route of the routes that share `first`'s match; encoded again only when their methods change. */
function methodNotAllowedRoute({ first, methods }: MethodGroup, cache: RouteCache): RouteVariants {
  const allow = methods.join(",");
  const cached = cache.methodNotAllowed.get(first);
  if (cached?.allow === allow) return cached.variants;
  const variants = new RouteVariants(
    { name: `${METHOD_NOT_ALLOWED_ROUTE}:${first.id}`, match: pathAndHeaders(first.match), ...methodNotAllowed(methods) },
    `${METHOD_NOT_ALLOWED_ROUTE}:${nameWithinVersion(first)}`,
  );
  cache.methodNotAllowed.set(first, { allow, variants });
  return variants;
}

/**
 * A host's routes in match order — the guards (route-guards.ts, route-methods.ts), the config's
 * routes, then the 405s — and the identity and access configs the host carries for most of them
 * (host-access.ts).
 */
function hostRoutes(irRoutes: readonly RouteIR[], cache: RouteCache, metadataOnHost: boolean) {
  const routes = [
    DOT_SEGMENTS,
    ...(hasDefaultMethodRoute(irRoutes) ? [GUARD] : []),
    ...irRoutes.map((route) => configRoute(route, cache)),
    ...methodGroups(irRoutes).map((group) => methodNotAllowedRoute(group, cache)),
  ];
  const hosted = HOISTABLE_FILTERS.map((_, index) => hostConfig(routes.map((route) => route.configs[index]!)));
  return {
    routes: routes.map((route) => route.encoded(route.configs.map((config, index) => routeWrite(config, hosted[index]?.key)), metadataOnHost)),
    typedPerFilterConfig: sortedRecord(HOISTABLE_FILTERS.flatMap((filter, index) => (hosted[index] ? [[filter.name, hosted[index].config] as const] : []))),
  };
}

/** Host names that carry the same routes, in the listener's (sorted) host name order. */
interface HostGroup {
  readonly domains: string[];
  readonly routes: readonly RouteIR[];
}

/**
 * Groups the listener's host names by the exact list of routes they carry, so hosts with the same
 * routes share one virtual host instead of each holding a full copy: Envoy builds (and, on every
 * RDS update, rebuilds) each virtual host's routes separately. Host names without any of `routes`
 * get no virtual host when the table is one scope of several.
 */
function hostGroups(hostnames: readonly string[], routes: readonly RouteIR[], scoped: boolean): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  for (const hostname of hostnames) {
    const hosted = routes.filter((route) => route.hostnames.includes(hostname));
    if (scoped && hosted.length === 0) continue;
    const key = hosted.map((route) => route.id).join("\n");
    const group = groups.get(key);
    if (group) group.domains.push(hostname);
    else groups.set(key, { domains: [hostname], routes: hosted });
  }
  return [...groups.values()];
}

/**
 * One route table: one virtual host per set of host names with identical routes, named after its
 * first host name (unique, since each host name is in one group). There is no catch-all virtual
 * host: a request for any other host gets 404.
 */
function routeTable(name: string, groups: readonly HostGroup[], cache: RouteCache, requestHeadersToRemove: readonly string[], metadataOnHosts: boolean): XdsResource<typeof RouteConfigurationSchema> {
  const virtualHosts = groups.map(({ domains, routes: irRoutes }) => {
    const { routes, typedPerFilterConfig } = hostRoutes(irRoutes, cache, metadataOnHosts);
    const host = { name: domains[0]!, domains, typedPerFilterConfig, ...(metadataOnHosts && irRoutes[0] ? { metadata: apiMetadata(irRoutes[0]) } : {}) };
    const shell = create(VirtualHostSchema, host);
    return {
      message: create(VirtualHostSchema, { ...host, routes: routes.map((e) => e.message) }),
      spliced: { head: toBinary(VirtualHostSchema, shell), field: VIRTUAL_HOST_ROUTES_FIELD, children: routes.map((e) => e.bytes) },
    };
  });
  const shell = {
    name,
    // Routes name clusters that arrive over CDS; Envoy need not check them when the routes load.
    validateClusters: false,
    requestHeadersToRemove: [...requestHeadersToRemove],
  };
  const message = create(RouteConfigurationSchema, { ...shell, virtualHosts: virtualHosts.map((vh) => vh.message) });
  const bytes = splice({
    head: toBinary(RouteConfigurationSchema, create(RouteConfigurationSchema, shell)),
    field: ROUTE_CONFIGURATION_VIRTUAL_HOSTS_FIELD,
    children: virtualHosts.map((vh) => vh.spliced),
  });
  return makeResourceFromBytes(RouteConfigurationSchema, name, message, bytes);
}

/**
 * A listener's routes: one route configuration named after the listener (RDS), or — when its
 * routes split by leading path segments (route-scopes.ts) — one per scope, each with the SRDS
 * resource that names it. A table whose host names and routes are those it was built from last
 * time is reused whole.
 */
export function listenerRouteResources(ir: GatewayIR, listener: ListenerIR, cache: RouteCache): XdsResource[] {
  const onHosts = metadataOnHosts(ir, listener);
  const table = (name: string, routes: readonly RouteIR[], scoped: boolean) =>
    cache.tables.get(
      name,
      () => ({ hostnames: listener.hostnames, routes, onHosts, resource: routeTable(name, hostGroups(listener.hostnames, routes, scoped), cache, scoped ? [ROUTE_SCOPE_HEADER] : [], onHosts) }),
      (built) => sameItems(built.routes, routes) && sameItems(built.hostnames, listener.hostnames) && built.onHosts === onHosts,
    ).resource;
  return listenerTables(ir, listener).flatMap(({ name, routes, scope }) => [table(name, routes, scope !== undefined), ...(scope ? [cache.scopes.get(scope.name, () => scopeResource(listener, scope))] : [])]);
}
