/**
 * Where the `api` and `version` the access log reads are written. Envoy pays for metadata on every
 * route of every update, so a listener whose route tables each hold the routes of one API version
 * (route scopes by version and API, route-scopes.ts) writes them once per virtual host — the log
 * reads `%METADATA(VIRTUAL_HOST:…)%` — and its routes carry none, and are named within their API
 * version (`list`, not `shop.v1.list`): the name is the one field every route must carry, and the
 * qualifier was more than a third of a plain route's bytes. Any other listener keeps the metadata
 * on each route and the route ids as names — among them every listener that publishes MCP tools,
 * whose tables hold the `@mcp` routes beside the API's, so the MCP call processor reads route ids.
 * The audit receiver, the verifier and the route diff read the API and version beside a name and
 * turn it back into the route id with `routeIdOf`.
 */
import type { JsonValue } from "@bufbuild/protobuf";
import type { VirtualHost } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import type { RouteIR } from "../model/ir.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { sortedJson } from "./proto.ts";
import { perListener } from "./per-listener.ts";
import { listenerTables } from "./route-scopes.ts";

/** The metadata of a route, or of a virtual host all of whose routes have one API and version. */
export function apiMetadata(route: Pick<RouteIR, "api" | "version">) {
  return { filterMetadata: { [METADATA_NAMESPACE]: sortedJson({ api: route.api, version: route.version }) } };
}

/** A route's name within its API version, its name where its virtual host carries the API and version. */
export function nameWithinVersion(route: Pick<RouteIR, "id" | "api" | "version">): string {
  const prefix = `${route.api}.${route.version}.`;
  return route.id.startsWith(prefix) ? route.id.slice(prefix.length) : route.id;
}

/** The id a route named `name` within an API version has, when the API and version are known. */
export function qualifiedId(name: string, api: string | undefined, version: string | undefined): string | undefined {
  return api !== undefined && version !== undefined ? `${api}.${version}.${name}` : undefined;
}

/**
 * Of the two ids a reported name can stand for, the route's: the qualified one when `isRoute` knows
 * it, else the name itself (a table that carries its metadata on each route names them by id).
 */
export function routeIdAmong(name: string, qualified: string | undefined, isRoute: (id: string) => boolean): string {
  return qualified !== undefined && isRoute(qualified) ? qualified : name;
}

/** The id of the route Envoy reported by `name`, given the API and version its metadata carried. */
export function routeIdOf(name: string, api: string | undefined, version: string | undefined, isRoute: (id: string) => boolean): string {
  return routeIdAmong(name, qualifiedId(name, api, version), isRoute);
}

/** The qualified id of a route of a decoded virtual host; undefined where the host carries no API and version. */
export function hostQualifiedId(host: Pick<VirtualHost, "metadata">, routeName: string): string | undefined {
  const carried = host.metadata?.filterMetadata[METADATA_NAMESPACE];
  const text = (value: JsonValue | undefined) => (typeof value === "string" ? value : undefined);
  return qualifiedId(routeName, text(carried?.["api"]), text(carried?.["version"]));
}

/** The id of a route of a decoded virtual host (route names are ids where the host carries no metadata). */
export function hostRouteId(host: Pick<VirtualHost, "metadata">, routeName: string, isRoute: (id: string) => boolean): string {
  return routeIdAmong(routeName, hostQualifiedId(host, routeName), isRoute);
}

/** By a table's routes: a scope the last compile left alone has the same array (listenerScopes). */
const ofOneVersion = new WeakMap<readonly RouteIR[], boolean>();

function holdsOneVersion(routes: readonly RouteIR[]): boolean {
  let one = ofOneVersion.get(routes);
  if (one === undefined) ofOneVersion.set(routes, (one = routes.every((route) => route.api === routes[0]!.api && route.version === routes[0]!.version)));
  return one;
}

/** Whether each of the listener's route tables holds one API version's routes: its virtual hosts carry `api` and `version`. */
export const metadataOnHosts = perListener((ir, listener) => listenerTables(ir, listener).every(({ routes }) => holdsOneVersion(routes)));
