/**
 * Where in the config each Envoy resource of a compiled gateway comes from, so that a resource
 * Envoy rejects (a NACK) can be shown with the config location to fix. Derived from the IR's own
 * references (listener → its route config and secrets, provider → its cluster and secrets), not
 * from naming conventions of the translator.
 */
import type { SourceLocation } from "../config/diagnostics.ts";
import { locateNearest, type Locate, type ModelPath } from "../config/locate.ts";
import type { GatewayConfig } from "../config/types.ts";
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  SCOPED_ROUTE_CONFIGURATION_TYPE_URL,
  SECRET_TYPE_URL,
} from "../envoy/type-urls.ts";
import type { GatewayIR } from "../model/ir.ts";
import { listenerTables } from "../xds/route-scopes.ts";

export interface ResourceOrigin {
  /** The config path, dotted: `gateway.listeners.0`. */
  readonly path: string;
  readonly location?: SourceLocation;
}

/** Type URL + resource name → origin. */
export type ResourceOrigins = ReadonlyMap<string, ResourceOrigin>;

export function originKey(typeUrl: string, name: string): string {
  return `${typeUrl}\n${name}`;
}

export interface OriginSource {
  readonly file: string;
  readonly ir: GatewayIR;
  readonly config?: GatewayConfig;
  readonly locate?: Locate;
}

export function resourceOrigins({ file, ir, config, locate }: OriginSource): ResourceOrigins {
  const origins = new Map<string, ResourceOrigin>();
  const add = (typeUrls: readonly string[], name: string | undefined, path: ModelPath) => {
    if (name === undefined) return;
    const origin = { path: path.join("."), ...(locate ? { location: locateNearest(locate, file, path) } : {}) };
    for (const typeUrl of typeUrls) origins.set(originKey(typeUrl, name), origin);
  };
  ir.listeners.forEach((listener, index) => {
    const path = ["gateway", "listeners", index];
    add([LISTENER_TYPE_URL], listener.name, path);
    // Its route configuration, or its route scopes and theirs (route-scopes.ts).
    for (const { name } of listenerTables(ir, listener)) add([ROUTE_CONFIGURATION_TYPE_URL, SCOPED_ROUTE_CONFIGURATION_TYPE_URL], name, path);
    add([SECRET_TYPE_URL], listener.tls?.certificateSecret, [...path, "tls"]);
    add([SECRET_TYPE_URL], listener.tls?.clientCertificate?.caSecret, [...path, "tls", "clientCertificate", "caCertificate"]);
  });
  for (const cluster of ir.clusters) {
    if (!config?.providers?.[cluster.name]) continue;
    const path = ["providers", cluster.name];
    add([CLUSTER_TYPE_URL, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL], cluster.name, path);
    add([SECRET_TYPE_URL], cluster.tls?.caSecret, [...path, "tls", "caCertificate"]);
    add([SECRET_TYPE_URL], cluster.tls?.clientCertificateSecret, [...path, "tls", "clientCertificate"]);
  }
  for (const provider of ir.jwtProviders) {
    if (provider.jwks.kind === "remote") add([CLUSTER_TYPE_URL], provider.jwks.cluster, ["identities", provider.name, "jwks", "url"]);
  }
  return origins;
}
