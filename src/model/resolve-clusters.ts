import { isIP } from "node:net";
import type { ModelPath } from "../config/locate.ts";
import type { Provider, ServiceProvider, UpstreamTls } from "../config/types.ts";
import type { ClusterIR, EndpointIR, RetryIR, SecretIR, UpstreamTlsIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { readCaBundle, readCertificateAndKey, type SecretSource } from "./secrets.ts";
import { durationMs } from "./units.ts";

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** The largest duration protobuf (and so Envoy) can carry: 10,000 years. */
const MAX_DURATION_MS = 315_576_000_000_000;

/**
 * Reads a duration or reports it and falls back to the default. Zero is refused too: for Envoy it
 * means "never time out" (or is invalid), which a gateway must not get by accident.
 */
export function durationOr(text: string | undefined, fallback: number, report: Reporter, path: ModelPath): number {
  if (text === undefined) return fallback;
  const ms = durationMs(text);
  if (ms === undefined) report.error("PCL4005", `"${text}" is not a duration.`, path, 'Write a number and a unit: "250ms", "5s", "2m" or "1h".');
  else if (ms <= 0) report.error("PCL4005", `"${text}" is zero: a timeout or interval must be longer than that.`, path, "Use a positive duration; timeouts cannot be switched off.");
  else if (ms > MAX_DURATION_MS) report.error("PCL4005", `"${text}" is longer than the 10,000 years a duration can hold.`, path, "Use a realistic duration, in hours at most.");
  else return ms;
  return fallback;
}

function parseEndpoint(text: string, report: Reporter, path: ModelPath): EndpointIR | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):([0-9]{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    report.error("PCL4004", `Endpoint "${text}" is not host:port.`, path, 'Write it as "orders.internal:8443", "10.0.0.5:8080" or "[::1]:8080".');
    return undefined;
  }
  return { host: (match[1] ?? match[2])!, port };
}

export function resolveUpstreamTls(name: string, tls: UpstreamTls, sniHost: string, source: SecretSource, report: Reporter, path: ModelPath, secrets: SecretIR[]): UpstreamTlsIR {
  let caSecret: string | undefined;
  if (tls.caCertificate) {
    caSecret = `upstream-${name}-ca`;
    secrets.push({ name: caSecret, kind: "validation-context", certificate: readCaBundle(tls.caCertificate, source, report, [...path, "caCertificate"]) });
  }
  let clientCertificateSecret: string | undefined;
  if (tls.clientCertificate) {
    clientCertificateSecret = `upstream-${name}-client-cert`;
    secrets.push({ name: clientCertificateSecret, kind: "tls-certificate", ...readCertificateAndKey(tls.clientCertificate, source, report, [...path, "clientCertificate"]) });
  }
  return {
    sni: tls.sni ?? sniHost,
    ...(caSecret ? { caSecret } : {}),
    ...(clientCertificateSecret ? { clientCertificateSecret } : {}),
    expectedSpiffeIds: [...(tls.expectedSpiffeIds ?? [])].sort(),
    expectedSans: [...(tls.expectedSans ?? [])].sort(),
  };
}

function resolveService(name: string, service: ServiceProvider, source: SecretSource, report: Reporter, secrets: SecretIR[]): ClusterIR {
  const path = ["providers", name];
  const endpoints = (service.endpoints ?? [])
    .map((text, index) => parseEndpoint(text, report, [...path, "endpoints", index]))
    .filter((endpoint) => endpoint !== undefined);
  const allIps = endpoints.every((endpoint) => isIP(endpoint.host) !== 0);
  const discovery = allIps ? "eds" : service.dns === "logical" ? "logical-dns" : "strict-dns";
  const hc = service.healthCheck;
  const cb = service.circuitBreaker ?? {};
  const od = service.outlierDetection;
  const firstHost = endpoints[0]?.host ?? name;
  return {
    name,
    discovery,
    endpoints,
    protocol: service.protocol ?? "http1",
    ...(service.tls ? { tls: resolveUpstreamTls(name, service.tls, firstHost, source, report, [...path, "tls"], secrets) } : {}),
    connectTimeoutMs: durationOr(service.timeouts?.connect, DEFAULT_CONNECT_TIMEOUT_MS, report, [...path, "timeouts", "connect"]),
    loadBalancing: service.loadBalancing ?? "round_robin",
    ...(hc
      ? {
          healthCheck: {
            path: hc.path,
            intervalMs: durationOr(hc.interval, 10_000, report, [...path, "healthCheck", "interval"]),
            timeoutMs: durationOr(hc.timeout, 2_000, report, [...path, "healthCheck", "timeout"]),
            healthyThreshold: hc.healthyThreshold ?? 2,
            unhealthyThreshold: hc.unhealthyThreshold ?? 3,
          },
        }
      : {}),
    circuitBreaker: {
      maxConnections: cb.maxConnections ?? 1024,
      maxPendingRequests: cb.maxPendingRequests ?? 1024,
      maxRequests: cb.maxRequests ?? 1024,
      maxRetries: cb.maxRetries ?? 3,
    },
    ...(od
      ? {
          outlierDetection: {
            consecutive5xx: od.consecutive5xx ?? 5,
            intervalMs: durationOr(od.interval, 10_000, report, [...path, "outlierDetection", "interval"]),
            baseEjectionTimeMs: durationOr(od.baseEjectionTime, 30_000, report, [...path, "outlierDetection", "baseEjectionTime"]),
            maxEjectionPercent: od.maxEjectionPercent ?? 50,
          },
        }
      : {}),
  };
}

/** One cluster per service provider, sorted by name. LLM and MCP providers are served by the AI and MCP processors. */
export function resolveClusters(providers: Readonly<Record<string, Provider>>, source: SecretSource, report: Reporter, secrets: SecretIR[]): ClusterIR[] {
  return Object.keys(providers)
    .sort()
    .flatMap((name) => {
      const provider = providers[name];
      return provider?.type === "service" ? [resolveService(name, provider, source, report, secrets)] : [];
    });
}

const DEFAULT_RETRY_ON = ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"];

/** The provider's retry policy with defaults applied, or none when it has no `retries`. */
export function resolveRetry(name: string, service: ServiceProvider, report: Reporter): RetryIR | undefined {
  const retries = service.retries;
  if (!retries) return undefined;
  const perTry = retries.perTryTimeout === undefined ? undefined : durationOr(retries.perTryTimeout, 0, report, ["providers", name, "retries", "perTryTimeout"]);
  return {
    attempts: retries.attempts ?? 1,
    on: [...(retries.on ?? DEFAULT_RETRY_ON)],
    ...(perTry ? { perTryTimeoutMs: perTry } : {}),
    statusCodes: [...(retries.statusCodes ?? [503])],
  };
}
