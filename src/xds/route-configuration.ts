import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { RouteSchema, VirtualHostSchema, type Route } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import type { Any } from "@bufbuild/protobuf/wkt";
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { RBAC_OFF, rbacFilter } from "./filters/rbac.ts";
import { configKey, type HostAccess, hostAccess } from "./host-access.ts";
import { DOT_SEGMENT_GUARD } from "./route-guards.ts";
import { hasDefaultMethodRoute, METHOD_NOT_ALLOWED_ROUTE, type MethodGroup, methodGroups, methodNotAllowed, UNKNOWN_METHOD_GUARD } from "./route-methods.ts";
import { pathAndHeaders, route as translateRoute } from "./route.ts";
import { makeResourceFromBytes, type XdsResource } from "./snapshot.ts";
import { splice } from "./wire.ts";

const VIRTUAL_HOST_ROUTES_FIELD = 3;
const ROUTE_CONFIGURATION_VIRTUAL_HOSTS_FIELD = 2;

export interface EncodedRoute {
  readonly message: Route;
  readonly bytes: Uint8Array;
}

/** A config route, with and without its access rules (which its virtual host may carry: host-access.ts). */
interface EncodedConfigRoute {
  readonly full: EncodedRoute;
  readonly withoutAccess: EncodedRoute;
  readonly access: { readonly key: string; readonly config: Any };
}

/** A guard or 405 route (no config of its own), as is and with RBAC turned off explicitly. */
interface EncodedGuard {
  readonly plain: EncodedRoute;
  readonly rbacOff: EncodedRoute;
}

/**
 * Encoded routes by IR route. Resolve hands back the same (immutable) RouteIR objects for API
 * versions that did not change, so identity is a safe key; a WeakMap lets old ones go.
 */
export interface RouteCache {
  readonly routes: WeakMap<RouteIR, EncodedConfigRoute>;
  /** 405 routes by the first IR route of their match, with the Allow list they were made for. */
  readonly methodNotAllowed: WeakMap<RouteIR, { readonly allow: string; readonly encoded: EncodedGuard }>;
}

export function newRouteCache(): RouteCache {
  return { routes: new WeakMap(), methodNotAllowed: new WeakMap() };
}

function encode(route: MessageInitShape<typeof RouteSchema>): EncodedRoute {
  const message = create(RouteSchema, route);
  return { message, bytes: toBinary(RouteSchema, message) };
}

function encodeRoute(ir: RouteIR, cache: RouteCache): EncodedConfigRoute {
  let encoded = cache.routes.get(ir);
  if (!encoded) {
    const init = translateRoute(ir);
    const { [rbacFilter.name]: config, ...others } = (init.typedPerFilterConfig ?? {}) as Record<string, Any>;
    if (!config) throw new Error(`route ${ir.id} has no access rules`); // every config route has some (filters/rbac.ts)
    const access = { key: configKey(config)!, config };
    encoded = { full: encode(init), withoutAccess: encode({ ...init, typedPerFilterConfig: others }), access };
    cache.routes.set(ir, encoded);
  }
  return encoded;
}

function encodeGuard(route: MessageInitShape<typeof RouteSchema>): EncodedGuard {
  return { plain: encode(route), rbacOff: encode({ ...route, typedPerFilterConfig: { [rbacFilter.name]: RBAC_OFF } }) };
}

const GUARD = encodeGuard(UNKNOWN_METHOD_GUARD);
const DOT_SEGMENTS = encodeGuard(DOT_SEGMENT_GUARD);

/** The 405 route of the routes that share `first`'s match; encoded again only when their methods change. */
function encodeMethodNotAllowed({ first, methods }: MethodGroup, cache: RouteCache): EncodedGuard {
  const allow = methods.join(",");
  const cached = cache.methodNotAllowed.get(first);
  if (cached?.allow === allow) return cached.encoded;
  const encoded = encodeGuard({ name: `${METHOD_NOT_ALLOWED_ROUTE}:${first.id}`, match: pathAndHeaders(first.match), ...methodNotAllowed(methods) });
  cache.methodNotAllowed.set(first, { allow, encoded });
  return encoded;
}

/**
 * A host's routes in match order — the guards (route-guards.ts, route-methods.ts), the config's
 * routes, then the 405s — and the access rules the host carries for most of them (host-access.ts).
 */
function hostRoutes(routes: readonly RouteIR[], cache: RouteCache): { routes: EncodedRoute[]; access: HostAccess | undefined } {
  const configRoutes = routes.map((route) => encodeRoute(route, cache));
  const guards = [DOT_SEGMENTS, ...(hasDefaultMethodRoute(routes) ? [GUARD] : [])];
  const notAllowed = methodGroups(routes).map((group) => encodeMethodNotAllowed(group, cache));
  const access = hostAccess(configRoutes.map((route) => route.access), guards.length + notAllowed.length);
  const guard = (encoded: EncodedGuard) => (access?.guardsNeedRbacOff ? encoded.rbacOff : encoded.plain);
  return {
    routes: [
      ...guards.map(guard),
      ...configRoutes.map((route) => (route.access.key === access?.key ? route.withoutAccess : route.full)),
      ...notAllowed.map(guard),
    ],
    access,
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
 * RDS update, rebuilds) each virtual host's routes separately.
 */
function hostGroups(ir: GatewayIR, listener: ListenerIR): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  for (const hostname of listener.hostnames) {
    const routes = ir.routes.filter((route) => route.hostnames.includes(hostname));
    const key = routes.map((route) => route.id).join("\n");
    const group = groups.get(key);
    if (group) group.domains.push(hostname);
    else groups.set(key, { domains: [hostname], routes });
  }
  return [...groups.values()];
}

/**
 * One route configuration per listener (RDS, named after the listener), one virtual host per set
 * of host names with identical routes, named after its first host name (unique, since each host
 * name is in one group). There is no catch-all virtual host: a request for any other host gets 404.
 */
export function routeConfiguration(ir: GatewayIR, listener: ListenerIR, cache: RouteCache): XdsResource<typeof RouteConfigurationSchema> {
  const virtualHosts = hostGroups(ir, listener).map(({ domains, routes: irRoutes }) => {
    const { routes, access } = hostRoutes(irRoutes, cache);
    const host = { name: domains[0]!, domains, ...(access ? { typedPerFilterConfig: { [rbacFilter.name]: access.config } } : {}) };
    const shell = create(VirtualHostSchema, host);
    return {
      message: create(VirtualHostSchema, { ...host, routes: routes.map((e) => e.message) }),
      spliced: { head: toBinary(VirtualHostSchema, shell), field: VIRTUAL_HOST_ROUTES_FIELD, children: routes.map((e) => e.bytes) },
    };
  });
  const shell = {
    name: listener.name,
    // Routes name clusters that arrive over CDS; Envoy need not check them when the routes load.
    validateClusters: false,
  };
  const message = create(RouteConfigurationSchema, { ...shell, virtualHosts: virtualHosts.map((vh) => vh.message) });
  const bytes = splice({
    head: toBinary(RouteConfigurationSchema, create(RouteConfigurationSchema, shell)),
    field: ROUTE_CONFIGURATION_VIRTUAL_HOSTS_FIELD,
    children: virtualHosts.map((vh) => vh.spliced),
  });
  return makeResourceFromBytes(RouteConfigurationSchema, listener.name, message, bytes);
}
