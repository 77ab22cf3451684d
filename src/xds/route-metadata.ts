/**
 * Where the `api` and `version` the access log reads are written. Envoy pays for metadata on every
 * route of every update, so a listener whose route tables each hold the routes of one API version
 * (route scopes by version and API, route-scopes.ts) writes them once per virtual host — the log
 * reads `%METADATA(VIRTUAL_HOST:…)%` — and its routes carry none. Any other listener keeps them on
 * each route. The audit store reads neither: its receiver knows each route's API and version by
 * the route's name (src/audit/gateway.ts).
 */
import type { RouteIR } from "../model/ir.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { sortedJson } from "./proto.ts";
import { perListener } from "./per-listener.ts";
import { listenerTables } from "./route-scopes.ts";

/** The metadata of a route, or of a virtual host all of whose routes have one API and version. */
export function apiMetadata(route: Pick<RouteIR, "api" | "version">) {
  return { filterMetadata: { [METADATA_NAMESPACE]: sortedJson({ api: route.api, version: route.version }) } };
}

/** Whether each of the listener's route tables holds one API version's routes: its virtual hosts carry `api` and `version`. */
export const metadataOnHosts = perListener((ir, listener) =>
  listenerTables(ir, listener).every(({ routes }) => routes.every((route) => route.api === routes[0]!.api && route.version === routes[0]!.version)),
);
