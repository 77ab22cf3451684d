/**
 * Where the `api` and `version` the access log reads are written. Envoy pays for metadata on every
 * route of every update, so a listener whose route tables each hold the routes of one API version
 * (route scopes by version and API, route-scopes.ts) writes them once per virtual host — the log
 * reads `%METADATA(VIRTUAL_HOST:…)%` — and its routes carry none. Any other listener keeps them on
 * each route. The audit store's entries name the route; the receiver knows each route's API and
 * version by its name (src/audit/gateway.ts) where the entry carries no route metadata.
 */
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { sortedJson } from "./proto.ts";
import { listenerRoutes, listenerScopes } from "./route-scopes.ts";

/** The metadata of a route, or of a virtual host all of whose routes have one API and version. */
export function apiMetadata(route: Pick<RouteIR, "api" | "version">) {
  return { filterMetadata: { [METADATA_NAMESPACE]: sortedJson({ api: route.api, version: route.version }) } };
}

const decided = new WeakMap<GatewayIR, Map<ListenerIR, boolean>>();

/** Whether each of the listener's route tables holds one API version's routes: its virtual hosts carry `api` and `version`. */
export function metadataOnHosts(ir: GatewayIR, listener: ListenerIR): boolean {
  let byListener = decided.get(ir);
  if (!byListener) decided.set(ir, (byListener = new Map()));
  let onHosts = byListener.get(listener);
  if (onHosts === undefined) {
    const tables = listenerScopes(ir, listener)?.scopes.map((scope) => scope.routes) ?? [listenerRoutes(ir, listener)];
    onHosts = tables.every((routes) => routes.every((route) => route.api === routes[0]!.api && route.version === routes[0]!.version));
    byListener.set(listener, onHosts);
  }
  return onHosts;
}
