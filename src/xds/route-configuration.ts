import { create, toBinary } from "@bufbuild/protobuf";
import { RouteSchema, VirtualHostSchema, type Route } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { GATEWAY_SET_REQUEST_HEADERS } from "./gateway-headers.ts";
import { route as translateRoute } from "./route.ts";
import { makeResourceFromBytes, type XdsResource } from "./snapshot.ts";
import { splice } from "./wire.ts";

const VIRTUAL_HOST_ROUTES_FIELD = 3;
const ROUTE_CONFIGURATION_VIRTUAL_HOSTS_FIELD = 2;

export interface EncodedRoute {
  readonly message: Route;
  readonly bytes: Uint8Array;
}

/**
 * Encoded routes by IR route. Resolve hands back the same (immutable) RouteIR objects for API
 * versions that did not change, so identity is a safe key; a WeakMap lets old ones go.
 */
export type RouteCache = WeakMap<RouteIR, EncodedRoute>;

export function newRouteCache(): RouteCache {
  return new WeakMap();
}

function encodeRoute(ir: RouteIR, cache: RouteCache): EncodedRoute {
  let encoded = cache.get(ir);
  if (!encoded) {
    const message = create(RouteSchema, translateRoute(ir));
    cache.set(ir, (encoded = { message, bytes: toBinary(RouteSchema, message) }));
  }
  return encoded;
}

/**
 * One route configuration per listener (RDS, named after the listener), one virtual host per
 * host name. There is no catch-all virtual host: a request for any other host gets 404.
 */
export function routeConfiguration(ir: GatewayIR, listener: ListenerIR, cache: RouteCache): XdsResource<typeof RouteConfigurationSchema> {
  const virtualHosts = listener.hostnames.map((hostname) => {
    const routes: EncodedRoute[] = [];
    for (const route of ir.routes) if (route.hostnames.includes(hostname)) routes.push(encodeRoute(route, cache));
    const shell = create(VirtualHostSchema, { name: hostname, domains: [hostname] });
    return {
      message: create(VirtualHostSchema, { name: hostname, domains: [hostname], routes: routes.map((e) => e.message) }),
      spliced: { head: toBinary(VirtualHostSchema, shell), field: VIRTUAL_HOST_ROUTES_FIELD, children: routes.map((e) => e.bytes) },
    };
  });
  const shell = {
    name: listener.name,
    // Identity headers are set by the gateway only; a client's copy is dropped before routing.
    requestHeadersToRemove: [...GATEWAY_SET_REQUEST_HEADERS],
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
