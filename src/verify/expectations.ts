/**
 * What the compile result (the IR) says the output may contain — never the raw config: the
 * routes it made public, the upstreams it let go without TLS (a `plaintext` reason, or
 * Portcullis's own loopback services), the addresses it binds and the headers only it sets.
 */
import { DEFAULT_IDENTITY_HEADERS } from "../model/identity-headers.ts";
import type { GatewayIR, RouteIR } from "../model/ir.ts";
import { RouteChangeMemo } from "../model/route-change-memo.ts";
import { IdLayers, type IdSet } from "./id-layers.ts";

export interface VerifyExpectations {
  /** Names (ids) of the routes the compile result marks public. */
  readonly publicRoutes: IdSet;
  /** How `publicRoutes` came from the last compile's, when resolve recorded the change. */
  readonly publicChange?: PublicRoutesChange;
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

/** The last compile's public route ids, and the ids of the routes added or removed since: no other id can have come in or gone. */
export interface PublicRoutesChange {
  readonly previous: IdSet;
  readonly changedIds: ReadonlySet<string>;
}

const isPublic = (route: RouteIR) => route.access.kind === "public";

interface PublicRoutes {
  readonly ids: IdLayers;
  readonly change?: PublicRoutesChange;
}

/** By an IR's routes array: the newest compile's are the last one's with the routes that changed (not a copy of thousands: id-layers.ts). */
const publicIds = new RouteChangeMemo<"public", PublicRoutes>();

function publicRoutes(routes: readonly RouteIR[]): PublicRoutes {
  return publicIds.get(
    routes,
    "public",
    () => ({ ids: new IdLayers(new Set(routes.filter(isPublic).map((route) => route.id))) }),
    (last, change) => {
      const publicIds = (changed: readonly RouteIR[]) => changed.filter(isPublic).map((route) => route.id);
      const ids = last.ids.with(publicIds(change.removed), publicIds(change.added));
      // The last set itself, not the last result: that would chain every earlier compile's set.
      return { ids, change: { previous: last.ids, changedIds: new Set([...change.removed, ...change.added].map((route) => route.id)) } };
    },
  );
}

export function verifyExpectations(ir: GatewayIR): VerifyExpectations {
  const { ids, change } = publicRoutes(ir.routes);
  return {
    publicRoutes: ids,
    ...(change ? { publicChange: change } : {}),
    plaintextClusters: new Set([...ir.clusters.filter((cluster) => !cluster.tls).map((cluster) => cluster.name), ...serviceClusters(ir)]),
    listenerBinds: new Map(ir.listeners.map((listener) => [listener.name, { address: listener.address, port: listener.port }])),
    gatewayHeaders: [...new Set([...Object.values(DEFAULT_IDENTITY_HEADERS), ...Object.values(ir.identityHeaders), ...(ir.ai ? [ir.ai.routeHeader] : [])])].sort(),
    trustedProxyHops: ir.trustedProxyHops,
  };
}
