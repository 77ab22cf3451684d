/** Which xDS types get special treatment, and the order in which changes are pushed. */
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  SCOPED_ROUTE_CONFIGURATION_TYPE_URL,
  SECRET_TYPE_URL,
} from "../envoy/type-urls.ts";

// The xDS protocol's make-before-break order: clusters before the endpoints that fill them, and
// both before the listeners and routes that point at them, so nothing references what is missing;
// route scopes (SRDS) come with their listener, before the route configs they name.
const PUSH_ORDER = [CLUSTER_TYPE_URL, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, LISTENER_TYPE_URL, SCOPED_ROUTE_CONFIGURATION_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL];

function rank(typeUrl: string): number {
  const index = PUSH_ORDER.indexOf(typeUrl);
  return index === -1 ? PUSH_ORDER.length : index;
}

/** Type URLs sorted into push order (CDS, EDS, LDS, SRDS, RDS, then the rest by name). */
export function inPushOrder(typeUrls: Iterable<string>): string[] {
  return [...typeUrls].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Clusters, their endpoints and route configs are referenced by other resources (routes and
 * listeners name clusters, listeners name route configs), so removing one a node still uses breaks
 * traffic; listeners are referenced by nothing and can go at any time.
 */
export function isReferenced(typeUrl: string): boolean {
  return typeUrl === CLUSTER_TYPE_URL || typeUrl === CLUSTER_LOAD_ASSIGNMENT_TYPE_URL || typeUrl === ROUTE_CONFIGURATION_TYPE_URL;
}

/**
 * Listeners, route scopes and route configs hold the references: until a node ACKs them it may
 * use old ones.
 */
export function isReferencing(typeUrl: string): boolean {
  return typeUrl === LISTENER_TYPE_URL || typeUrl === SCOPED_ROUTE_CONFIGURATION_TYPE_URL || typeUrl === ROUTE_CONFIGURATION_TYPE_URL;
}

/** LDS, CDS and SRDS: a first request naming nothing subscribes to everything (legacy wildcard). */
export function isImplicitWildcard(typeUrl: string): boolean {
  return typeUrl === LISTENER_TYPE_URL || typeUrl === CLUSTER_TYPE_URL || typeUrl === SCOPED_ROUTE_CONFIGURATION_TYPE_URL;
}

/**
 * Secrets are never sent by wildcard: a node gets only the secrets its own config names, so a
 * proxy cannot collect credentials it does not use.
 */
export function isWildcardAllowed(typeUrl: string): boolean {
  return typeUrl !== SECRET_TYPE_URL;
}

/** The short name used in logs, metrics and /status, e.g. "Cluster". */
export function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf(".") + 1);
}
