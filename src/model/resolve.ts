import { dirname } from "node:path";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { Locate } from "../config/locate.ts";
import type { GatewayConfig } from "../config/types.ts";
import type { GatewayIR, RouteIR, SecretIR } from "./ir.ts";
import { Reporter } from "./report.ts";
import { resolveClusters } from "./resolve-clusters.ts";
import { resolveJwtProviders } from "./resolve-identities.ts";
import { resolveListeners } from "./resolve-listeners.ts";
import { resolveRoutes, type VersionCache } from "./resolve-routes.ts";
import { compareRoutes } from "./route-order.ts";
import { checkResolvable } from "./shape.ts";
import type { SecretMode } from "./secrets.ts";
import { durationOr } from "./resolve-clusters.ts";

export interface ResolveOptions {
  /** The config file, for diagnostics and relative secret files. */
  readonly file?: string;
  readonly locate?: Locate;
  /** Default `read`; see {@link SecretMode}. */
  readonly secrets?: SecretMode;
  readonly env?: NodeJS.ProcessEnv;
  /** Reuses the routes of unchanged API versions from earlier resolves of the same gateway. */
  readonly cache?: VersionCache;
}

export interface ResolveResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly ir?: GatewayIR;
}

/** Identity kinds Envoy enforces today: JWT (jwt_authn + RBAC on claims) and mTLS (RBAC on the peer certificate). */
const ENFORCED_IDENTITY_TYPES: ReadonlySet<string> = new Set(["jwt", "mtls"]);

/** Until identity enforcement lands, routes that need an identity deny everything: say so once per identity. */
function reportUnenforcedIdentities(routes: readonly RouteIR[], report: Reporter): void {
  const counts = new Map<string, { type: string; routes: number }>();
  for (const route of routes) {
    if (route.access.kind !== "identities") continue;
    for (const rule of route.access.rules) {
      if (ENFORCED_IDENTITY_TYPES.has(rule.identityType)) continue;
      const entry = counts.get(rule.identity) ?? { type: rule.identityType, routes: 0 };
      entry.routes++;
      counts.set(rule.identity, entry);
    }
  }
  for (const [identity, { type, routes: count }] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    report.warning(
      "PCL4010",
      `Enforcement of ${type} identities is not implemented yet: the ${count} route(s) that allow identity "${identity}" deny every request (fail closed).`,
      ["identities", identity],
      "Mark routes public with a reason if they need no identity; identity enforcement arrives in a later release.",
    );
  }
}

/**
 * Resolves a (validated) config into the IR. Never throws on a weird config: what cannot be
 * resolved is reported, and the IR is returned only when there is no error.
 */
export function resolve(config: GatewayConfig, options: ResolveOptions = {}): ResolveResult {
  const file = options.file ?? "gateway config";
  const report = new Reporter(file, options.locate);
  if (!checkResolvable(config, report)) return { diagnostics: report.diagnostics };
  const source = { mode: options.secrets ?? "read", baseDir: options.file ? dirname(options.file) : process.cwd(), env: options.env ?? process.env } as const;
  const gateway = config.gateway;
  const secrets: SecretIR[] = [];
  const listeners = resolveListeners(gateway, source, report, secrets);
  const clusters = resolveClusters(config.providers ?? {}, source, report, secrets);
  const jwtProviders = resolveJwtProviders(config.identities ?? {}, source, report, clusters);
  const allHostnames = [...new Set(listeners.flatMap((listener) => listener.hostnames))].sort();
  const routes = resolveRoutes(config, allHostnames, { providers: config.providers ?? {}, identities: config.identities ?? {}, report }, options.cache).sort(compareRoutes);
  reportUnenforcedIdentities(routes, report);
  const limits = gateway.limits ?? {};
  const ir: GatewayIR = {
    name: gateway.name,
    trustedProxyHops: gateway.trustedProxyHops ?? 0,
    limits: {
      requestHeadersTimeoutMs: durationOr(limits.requestHeadersTimeout, 10_000, report, ["gateway", "limits", "requestHeadersTimeout"]),
      streamIdleTimeoutMs: durationOr(limits.streamIdleTimeout, 300_000, report, ["gateway", "limits", "streamIdleTimeout"]),
      maxRequestHeadersKb: limits.maxRequestHeadersKb ?? 60,
      connectionBufferBytes: limits.connectionBufferBytes ?? 32_768,
      maxConnections: limits.maxConnections ?? 10_000,
    },
    listeners,
    clusters: clusters.sort((a, b) => (a.name < b.name ? -1 : 1)),
    secrets: secrets.sort((a, b) => (a.name < b.name ? -1 : 1)),
    routes,
    jwtProviders,
    accessLog: {
      destination: config.audit?.accessLog ?? "stdout",
      redactHeaders: [...new Set((config.audit?.redactHeaders ?? []).map((h) => h.toLowerCase()))].sort(),
    },
  };
  const diagnostics = report.diagnostics;
  return diagnostics.some((d) => d.severity === "error") ? { diagnostics } : { diagnostics, ir };
}
