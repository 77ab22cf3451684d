/**
 * MCP providers → Envoy clusters. The gateway sends the server a credential of its own, so the
 * server's certificate must name its host (or what `tls` says), and plaintext needs a reason.
 */
import { isIP } from "node:net";
import type { GatewayConfig, McpServerProvider } from "../config/types.ts";
import type { ClusterIR, SecretIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS, durationOr, resolveUpstreamTls } from "./resolve-clusters.ts";
import type { SecretValue } from "./secret-value.ts";
import type { SecretSource } from "./secrets.ts";
import { parseUpstreamUrl } from "./upstream-url.ts";

/** A usable MCP server: its cluster, and what its endpoint route rewrites to. */
export interface ResolvedMcpServer {
  readonly cluster: ClusterIR;
  /** The path of the server's endpoint, e.g. `/mcp`. */
  readonly path: string;
  /** The Host header the server expects. */
  readonly hostHeader: string;
  readonly timeoutMs: number;
  readonly bearerToken?: SecretValue;
}

function parseUrl(name: string, text: string, report: Reporter) {
  const url = parseUpstreamUrl(text, (carried) =>
    report.error("PCL4120", `The URL of MCP server "${name}" carries ${carried}, which the gateway would not send as written.`, ["providers", name, "url"], "Write the URL without user:password@, ?query or #fragment; put a token under bearerToken."),
  );
  return url && { ...url, path: url.pathname || "/" };
}

/** Plaintext needs a reason (or zeroTrust.requireUpstreamTls: false); TLS settings on an http URL, or a reason on an https one, would do nothing. */
function checkTransport(name: string, provider: McpServerProvider, tls: boolean, config: GatewayConfig, report: Reporter): void {
  const path = ["providers", name];
  if (tls && provider.plaintext) report.error("PCL4122", `MCP server "${name}" has a plaintext justification but an https URL, so it has no effect.`, [...path, "plaintext"], "Remove plaintext.");
  if (!tls && provider.tls) report.error("PCL4122", `MCP server "${name}" has tls settings but an http URL, so they have no effect.`, [...path, "tls"], "Use an https: URL, or remove tls.");
  if (tls || provider.plaintext || config.zeroTrust?.requireUpstreamTls === false) return;
  const strict = (config.zeroTrust?.mode ?? "strict") === "strict";
  report.report(
    strict ? "error" : "warning",
    "PCL4121",
    `MCP server "${name}" is reached over plaintext HTTP: tool calls, their results and the gateway's token would cross the network unencrypted.`,
    [...path, "url"],
    'Use an https: URL, or add plaintext: { reason: "why unencrypted traffic is acceptable here" }.',
  );
}

/** The server's cluster and route details, or undefined (after reporting) when its URL cannot be used. */
export function mcpServerCluster(name: string, provider: McpServerProvider, config: GatewayConfig, source: SecretSource, report: Reporter, secrets: SecretIR[], defaultTimeoutMs: number): Omit<ResolvedMcpServer, "bearerToken"> | undefined {
  const url = parseUrl(name, provider.url, report);
  if (!url) return undefined;
  checkTransport(name, provider, url.tls, config, report);
  const ip = isIP(url.host) !== 0;
  const path = ["providers", name];
  const tls = url.tls ? resolveUpstreamTls(name, provider.tls ?? {}, ip ? "" : url.host, source, report, [...path, "tls"], secrets) : undefined;
  const named = tls && (tls.expectedSans.length > 0 || tls.expectedSpiffeIds.length > 0 || ip) ? tls : tls && { ...tls, expectedSans: [url.host] };
  return {
    cluster: {
      name,
      discovery: ip ? "eds" : "strict-dns",
      endpoints: [{ host: url.host, port: url.port }],
      protocol: "http1",
      ...(named ? { tls: named } : {}),
      connectTimeoutMs: durationOr(provider.timeouts?.connect, DEFAULT_CONNECT_TIMEOUT_MS, report, [...path, "timeouts", "connect"]),
      loadBalancing: "round_robin",
      circuitBreaker: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 },
    },
    path: url.path,
    hostHeader: url.hostHeader,
    timeoutMs: durationOr(provider.timeouts?.request, defaultTimeoutMs, report, [...path, "timeouts", "request"]),
  };
}
