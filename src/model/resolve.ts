import { dirname } from "node:path";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { Locate } from "../config/locate.ts";
import { NO_SECTION } from "../config/frozen-config.ts";
import type { GatewayConfig } from "../config/types.ts";
import type { GatewayIR, RouteIR, SecretIR } from "./ir.ts";
import { Reporter } from "./report.ts";
import { resolveClusters } from "./resolve-clusters.ts";
import { resolveApiKeyProviders } from "./resolve-api-keys.ts";
import { resolveApis } from "./resolve-apis.ts";
import { applyGrants } from "./grants.ts";
import { resolveAuditStore } from "./resolve-audit.ts";
import { resolveAi } from "./resolve-ai.ts";
import { resolveMcp } from "./resolve-mcp.ts";
import { resolveRateLimitService } from "./resolve-rate-limits.ts";
import { resolveIdentityHeaders } from "./identity-headers.ts";
import { resolveJwtProviders } from "./resolve-identities.ts";
import { resolveListeners } from "./resolve-listeners.ts";
import { resolvePolicy } from "./resolve-policy.ts";
import { resolveRouteGroups, type RouteCache } from "./resolve-routes.ts";
import { sortRoutes } from "./route-order.ts";
import { checkResolvable } from "./shape.ts";
import type { SecretMode } from "./secrets.ts";
import { durationOr } from "./resolve-clusters.ts";
import { someRoute } from "./route-counts.ts";

export interface ResolveOptions {
  /** The config file, for diagnostics and relative secret files. */
  readonly file?: string;
  readonly locate?: Locate;
  /** Default `read`; see {@link SecretMode}. */
  readonly secrets?: SecretMode;
  readonly env?: NodeJS.ProcessEnv;
  /** Reuses the routes of unchanged API versions from earlier resolves of the same gateway. */
  readonly cache?: RouteCache;
  /** The instant access grants are judged at (ms since the epoch); defaults to now. */
  readonly now?: number;
}

export interface ResolveResult {
  readonly diagnostics: readonly Diagnostic[];
  /** The files the config names (secrets, JWKS), sorted: what `serve --watch` follows besides the config. */
  readonly files?: readonly string[];
  readonly ir?: GatewayIR;
}

/** A route counted by the rate-limit service (its own limit or its API's). */
const limitedFleetWide = (route: RouteIR) => route.rateLimit?.mode === "global" || route.apiRateLimit?.mode === "global";

/**
 * Resolves a (validated) config into the IR. Never throws on a weird config: what cannot be
 * resolved is reported, and the IR is returned only when there is no error.
 */
export function resolve(written: GatewayConfig, options: ResolveOptions = {}): ResolveResult {
  const file = options.file ?? "gateway config";
  const report = new Reporter(file, options.locate);
  if (!checkResolvable(written, report)) return { diagnostics: report.diagnostics };
  // Unexpired grants are allow rules: written into the routes' access before anything reads it.
  const { config, grants } = applyGrants(written, options.now ?? Date.now(), report);
  const files = new Set<string>();
  const source = { mode: options.secrets ?? "read", baseDir: options.file ? dirname(options.file) : process.cwd(), env: options.env ?? process.env, files } as const;
  const gateway = config.gateway;
  const secrets: SecretIR[] = [];
  const listeners = resolveListeners(gateway, source, report, secrets);
  const clusters = resolveClusters(config.providers ?? {}, source, report, secrets);
  const jwtProviders = resolveJwtProviders(config.identities ?? {}, source, report, clusters);
  const apiKeyProviders = resolveApiKeyProviders(config.identities ?? {}, source, report);
  const allHostnames = [...new Set(listeners.flatMap((listener) => listener.hostnames))].sort();
  const identityHeaders = resolveIdentityHeaders(gateway.identityHeaders);
  const inputs = { providers: config.providers ?? NO_SECTION, identities: config.identities ?? NO_SECTION, consumerHeader: identityHeaders.consumer, identityHeaders, report };
  const apiGroups = resolveRouteGroups(config, allHostnames, inputs, options.cache);
  const apiRoutes = apiGroups.flat();
  const ai = resolveAi(config, apiRoutes, { hostnames: allHostnames, access: inputs, source, report });
  clusters.push(...ai.clusters);
  const mcp = resolveMcp(config, apiRoutes, ai.routes.length > 0 ? [...apiRoutes, ...ai.routes] : apiRoutes, { hostnames: allHostnames, access: inputs, source, report, secrets, ...(ai.ai ? { processor: ai.ai.processor.address } : {}) });
  clusters.push(...mcp.clusters);
  const order = sortRoutes([...apiGroups, ai.routes, mcp.routes], options.cache?.order);
  if (options.cache) options.cache.order = order;
  const routes = order.routes;
  const limits = gateway.limits ?? {};
  const rateLimitService = resolveRateLimitService(gateway, someRoute(routes, limitedFleetWide), report);
  const ir: GatewayIR = {
    name: gateway.name,
    identityHeaders,
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
    apiKeyProviders,
    accessLog: {
      destination: config.audit?.accessLog ?? "stdout",
      redactHeaders: [...new Set((config.audit?.redactHeaders ?? []).map((h) => h.toLowerCase()))].sort(),
      ...resolveAuditStore(config.audit, source.baseDir, report),
    },
    apis: resolveApis(config, inputs),
    policy: resolvePolicy(config, source.baseDir),
    grants,
    ...(ai.ai ? { ai: ai.ai } : {}),
    ...(mcp.mcp ? { mcp: mcp.mcp } : {}),
    ...(rateLimitService ? { rateLimitService } : {}),
  };
  const diagnostics = report.diagnostics;
  const named = { files: [...files].sort() };
  return diagnostics.some((d) => d.severity === "error") ? { diagnostics, ...named } : { diagnostics, ...named, ir };
}
