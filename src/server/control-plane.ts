/**
 * A whole control plane in one object: snapshot cache, ADS server, admin endpoint, node status,
 * metrics and the registry of served configs. `serve`, `up` and the tests all start it this way.
 */
import { startAdminServer, type AdminServer } from "./admin-server.ts";
import { startAdsServer, type AdsServer, type XdsTlsOptions } from "./ads-server.ts";
import { GatewayRegistry } from "./gateway-registry.ts";
import { createLogger, type Logger } from "./log.ts";
import { ControlPlaneMetrics } from "./metrics.ts";
import { NodeStatusRegistry } from "./node-status.ts";
import { SnapshotCache } from "./snapshot-cache.ts";

export interface ControlPlaneOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly xdsPort?: number;
  /** 0 picks a free port; null disables the admin endpoint. */
  readonly adminPort?: number | null;
  readonly tls?: XdsTlsOptions;
  readonly log?: Logger;
  readonly processMetrics?: boolean;
}

export interface ControlPlane {
  readonly cache: SnapshotCache;
  readonly configs: GatewayRegistry;
  readonly nodes: NodeStatusRegistry;
  readonly metrics: ControlPlaneMetrics;
  readonly log: Logger;
  readonly xdsPort: number;
  readonly adminPort: number | undefined;
  /** The JSON served on /status. */
  status(): unknown;
  close(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? createLogger();
  const cache = new SnapshotCache();
  const metrics = new ControlPlaneMetrics({ processMetrics: options.processMetrics ?? true });
  const nodes = new NodeStatusRegistry();
  const configs = new GatewayRegistry(cache, metrics, log);
  const ads: AdsServer = await startAdsServer(
    { cache, status: nodes, metrics, log },
    { ...(options.host ? { host: options.host } : {}), port: options.xdsPort ?? 0, ...(options.tls ? { tls: options.tls } : {}) },
  );
  const status = () => ({
    gateways: configs.list().map((config) => ({
      file: config.file,
      gateway: config.gateway ?? null,
      version: config.version ?? null,
      upToDate: config.upToDate,
      diagnostics: config.diagnostics,
    })),
    nodes: nodes.list(),
  });
  let admin: AdminServer | undefined;
  if (options.adminPort !== null) {
    // The admin endpoint binds to 127.0.0.1 only: it exposes status and metrics, never to the network.
    admin = await startAdminServer(
      { ready: () => configs.ready(), status, metrics: metrics.registry },
      { host: "127.0.0.1", port: options.adminPort ?? 0 },
    ).catch(async (error: unknown) => {
      await ads.close(); // or the xDS server keeps the process alive after the failure
      throw error;
    });
  }
  return {
    cache,
    configs,
    nodes,
    metrics,
    log,
    xdsPort: ads.port,
    adminPort: admin?.port,
    status,
    close: async () => {
      await Promise.all([ads.close(), admin?.close()]);
    },
  };
}
