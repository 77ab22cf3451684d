/**
 * What the compile result (the IR) says the output may contain — never the raw config: the
 * routes it made public, the upstreams it let go without TLS (a `plaintext` reason, or
 * Portcullis's own loopback services), the addresses it binds and the headers only it sets.
 */
import { DEFAULT_IDENTITY_HEADERS } from "../model/identity-headers.ts";
import type { GatewayIR, RouteIR } from "../model/ir.ts";
import { RouteChangeMemo } from "../model/route-change-memo.ts";

export interface VerifyExpectations {
  /** Names (ids) of the routes the compile result marks public. */
  readonly publicRoutes: ReadonlySet<string>;
  /** Clusters the compile result lets go without TLS. */
  readonly plaintextClusters: ReadonlySet<string>;
  /** listener name → the one `address:port` it may bind. */
  readonly listenerBinds: ReadonlyMap<string, { readonly address: string; readonly port: number }>;
  /** Request headers only the gateway may set (lower case): a client's copy must be removed on arrival. */
  readonly gatewayHeaders: readonly string[];
  readonly trustedProxyHops: number;
}

/** Portcullis's own gRPC services (AI/MCP processor, rate-limit service, audit receiver): plaintext by design. */
function serviceClusters(ir: GatewayIR): string[] {
  const processor = ir.ai?.processor ?? ir.mcp?.processor;
  return [processor?.cluster, ir.rateLimitService?.cluster, ir.accessLog.store?.cluster].filter((name): name is string => name !== undefined);
}

const isPublic = (route: RouteIR) => route.access.kind === "public";

/** By an IR's routes array: the newest compile's are the last one's, copied, with the routes that changed. */
const publicIds = new RouteChangeMemo<"public", ReadonlySet<string>>();

function publicRouteIds(routes: readonly RouteIR[]): ReadonlySet<string> {
  return publicIds.get(
    routes,
    "public",
    () => new Set(routes.filter(isPublic).map((route) => route.id)),
    (last, change) => {
      const ids = new Set(last);
      for (const route of change.removed) if (isPublic(route)) ids.delete(route.id);
      for (const route of change.added) if (isPublic(route)) ids.add(route.id);
      return ids;
    },
  );
}

export function verifyExpectations(ir: GatewayIR): VerifyExpectations {
  return {
    publicRoutes: publicRouteIds(ir.routes),
    plaintextClusters: new Set([...ir.clusters.filter((cluster) => !cluster.tls).map((cluster) => cluster.name), ...serviceClusters(ir)]),
    listenerBinds: new Map(ir.listeners.map((listener) => [listener.name, { address: listener.address, port: listener.port }])),
    gatewayHeaders: [...new Set([...Object.values(DEFAULT_IDENTITY_HEADERS), ...Object.values(ir.identityHeaders), ...(ir.ai ? [ir.ai.routeHeader] : [])])].sort(),
    trustedProxyHops: ir.trustedProxyHops,
  };
}
