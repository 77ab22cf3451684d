/**
 * A whole control plane in one object: snapshot cache, ADS server, admin endpoint, node status,
 * metrics and the registry of served configs. `serve`, `up` and the tests all start it this way.
 */
import { UserError } from "../errors.ts";
import { startAdminServer, type AdminServer } from "./admin-server.ts";
import { startAdsServer, type AdsServer, type XdsTlsOptions } from "./ads-server.ts";
import { catalogPage } from "./catalog-page.ts";
import { GatewayRegistry } from "./gateway-registry.ts";
import { createLogger, type Logger } from "./log.ts";
import { ControlPlaneMetrics } from "./metrics.ts";
import { NodeStatusRegistry } from "./node-status.ts";
import { isLoopbackHost } from "./peer-address.ts";
import { SnapshotCache } from "./snapshot-cache.ts";

export interface ControlPlaneOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly xdsPort?: number;
  /** 0 picks a free port; null disables the admin endpoint. */
  readonly adminPort?: number | null;
  /** Where the admin endpoint binds (default 127.0.0.1); beyond loopback only with `exposeAdmin`. */
  readonly adminHost?: string;
  /**
   * Serve the admin endpoint beyond loopback (e.g. for Kubernetes httpGet probes): refused unless
   * this says so, and shown on /status as a warning. It shows status, metrics and the catalog, never secrets.
   */
  readonly exposeAdmin?: boolean;
  readonly tls?: XdsTlsOptions;
  /**
   * Serve xDS in plaintext beyond loopback (a `host` that is not loopback, without `tls`): refused
   * unless this says so. Even then, no Secret goes to a peer that is not on loopback.
   */
  readonly insecureXds?: boolean;
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

const INSECURE_XDS_WARNING = "xDS is served in plaintext beyond loopback (--insecure-xds): anyone who reaches the port can read every gateway's routes and clusters, or pose as a proxy. Secrets are withheld from non-loopback peers; use mTLS (--tls-cert, --tls-key, --client-ca).";

const EXPOSED_ADMIN_WARNING = "the admin endpoint is served beyond loopback (--expose-admin): anyone who reaches the port can read /status (gateways, their diagnostics, the connected proxies), /metrics and the API catalog. It holds no secrets; keep it to the cluster network (e.g. a NetworkPolicy).";

/** Refuses the admin endpoint beyond loopback unless asked for; returns the warning to show when asked for. */
function adminExposure(options: ControlPlaneOptions): string | undefined {
  const host = options.adminHost ?? "127.0.0.1";
  if (options.adminPort === null || isLoopbackHost(host)) return undefined;
  if (!options.exposeAdmin) {
    throw new UserError(`refusing to serve the admin endpoint on ${host}: its status, metrics and catalog would be open to anyone who reaches the port. Bind it to 127.0.0.1, or pass --expose-admin to accept that (it never shows secrets)`);
  }
  return EXPOSED_ADMIN_WARNING;
}

/** Refuses plaintext xDS beyond loopback unless asked for; returns the warning to show when asked for. */
function plaintextExposure(options: ControlPlaneOptions): string | undefined {
  const host = options.host ?? "127.0.0.1";
  if (options.tls || isLoopbackHost(host)) return undefined;
  if (!options.insecureXds) {
    throw new UserError(`refusing to serve xDS on ${host} without mTLS: every gateway's config would be open to anyone who reaches the port. Add --tls-cert, --tls-key and --client-ca, or bind to 127.0.0.1, or pass --insecure-xds to accept plaintext xDS (Secrets still go only to loopback peers)`);
  }
  return INSECURE_XDS_WARNING;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const exposure = plaintextExposure(options);
  const adminExposed = adminExposure(options);
  const adminHost = options.adminHost ?? "127.0.0.1";
  const log = options.log ?? createLogger();
  if (exposure) log.warn(exposure, { host: options.host });
  if (adminExposed) log.warn(adminExposed, { host: adminHost });
  const cache = new SnapshotCache();
  const metrics = new ControlPlaneMetrics({ processMetrics: options.processMetrics ?? true });
  const nodes = new NodeStatusRegistry();
  // Served on loopback only, every Envoy runs on this host: host-dependent checks are errors (serve-checks.ts).
  const configs = new GatewayRegistry(cache, metrics, log, { envoysOnThisHost: isLoopbackHost(options.host ?? "127.0.0.1") });
  const ads: AdsServer = await startAdsServer(
    { cache, status: nodes, metrics, log, origin: (gateway, typeUrl, name) => configs.origin(gateway, typeUrl, name) },
    { ...(options.host ? { host: options.host } : {}), port: options.xdsPort ?? 0, ...(options.tls ? { tls: options.tls } : {}) },
  );
  const status = () => ({
    xds: { host: options.host ?? "127.0.0.1", port: ads.port, mtls: Boolean(options.tls), ...(exposure ? { warning: exposure } : {}) },
    ...(adminExposed ? { admin: { host: adminHost, warning: adminExposed } } : {}),
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
    // On 127.0.0.1 unless exposeAdmin says otherwise: status, metrics and the catalog are not the network's business.
    admin = await startAdminServer(
      { ready: () => configs.ready(), status, metrics: metrics.registry, catalog: catalogPage(configs) },
      { host: adminHost, port: options.adminPort ?? 0 },
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
