/**
 * LLM providers → the AI IR's providers and their Envoy clusters. The processor never connects to
 * a provider: Envoy does, through the cluster resolved here (TLS with the provider's host name
 * checked, or plaintext only where the config says why).
 */
import { isIP } from "node:net";
import { catalogProvider } from "../ai/catalog.ts";
import type { GatewayConfig, LlmProvider } from "../config/types.ts";
import type { AiProviderIR, ClusterIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS, durationOr } from "./resolve-clusters.ts";
import { readSecret, type SecretSource } from "./secrets.ts";

/** A whole answer, streamed ones included, must fit the route timeout: models can write for minutes. */
export const DEFAULT_LLM_REQUEST_TIMEOUT_MS = 300_000;

/** The wire formats the processor speaks, by provider type; the other types are refused (PCL4043). */
const API_OF_TYPE: Partial<Record<LlmProvider["type"], AiProviderIR["api"]>> = { openai: "openai", "openai-compatible": "openai", anthropic: "anthropic" };

/** The vendors' own base URLs, as their SDKs take them. */
const DEFAULT_BASE_URL: Partial<Record<LlmProvider["type"], string>> = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" };

/** Settings that only some provider types read; elsewhere they would be silently ignored. */
const TYPE_ONLY_SETTINGS = [
  { field: "region", types: ["bedrock"] },
  { field: "awsCredentials", types: ["bedrock"] },
  { field: "apiVersion", types: ["azure-openai"] },
] as const;

/** Where each wire format takes chat requests, below the base URL's path. */
const CHAT_PATH: Readonly<Record<AiProviderIR["api"], string>> = { openai: "/chat/completions", anthropic: "/v1/messages" };

/** One resolved provider: what the processor needs, the cluster Envoy needs, and its route's upstream path, host and timeout. */
export interface ResolvedLlmProvider {
  readonly provider: AiProviderIR;
  readonly cluster: ClusterIR;
  /** The path of the provider's chat endpoint, e.g. `/v1/chat/completions`. */
  readonly chatPath: string;
  /** The Host header the provider expects (`api.openai.com`, `127.0.0.1:8080`). */
  readonly hostHeader: string;
  readonly timeoutMs: number;
}

function parseBaseUrl(name: string, text: string, report: Reporter) {
  const path = ["providers", name, "baseUrl"];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined; // the config stage reports malformed URLs (PCL3025)
  }
  if (url.username || url.password || url.search || url.hash) {
    report.error("PCL4048", `The baseUrl of provider "${name}" carries ${url.username || url.password ? "credentials" : url.search ? "a query" : "a fragment"}, which the gateway would not send as written.`, path, "Write the URL without user:password@, ?query or #fragment; put the key under apiKey.");
    return undefined;
  }
  const tls = url.protocol === "https:";
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return { tls, host, port, hostHeader: url.port ? `${url.hostname}:${url.port}` : url.hostname, pathPrefix: url.pathname.replace(/\/+$/, "") };
}

function checkPlaintext(name: string, provider: LlmProvider, tls: boolean, config: GatewayConfig, report: Reporter): void {
  const path = ["providers", name];
  if (tls && provider.plaintext) {
    report.error("PCL4049", `Provider "${name}" has a plaintext justification but an https baseUrl, so the justification has no effect.`, [...path, "plaintext"], "Remove plaintext, or use an http: baseUrl if the provider really speaks plaintext.");
  }
  if (tls || provider.plaintext || config.zeroTrust?.requireUpstreamTls === false) return;
  const strict = (config.zeroTrust?.mode ?? "strict") === "strict";
  report.report(
    strict ? "error" : "warning",
    "PCL4045",
    `Provider "${name}" is reached over plaintext HTTP: prompts, answers and its key would cross the network unencrypted.`,
    [...path, "baseUrl"],
    'Use an https: baseUrl, or add plaintext: { reason: "why unencrypted traffic is acceptable here" }.',
  );
}

function llmCluster(name: string, provider: LlmProvider, url: NonNullable<ReturnType<typeof parseBaseUrl>>, report: Reporter): ClusterIR {
  const ip = isIP(url.host) !== 0;
  return {
    name,
    // Vendor APIs sit behind many rotating addresses: connect to what DNS answers now.
    discovery: ip ? "eds" : "logical-dns",
    endpoints: [{ host: url.host, port: url.port }],
    protocol: "http1",
    // The provider's certificate must name its host: the key is sent to whoever answers.
    ...(url.tls ? { tls: { sni: ip ? "" : url.host, expectedSpiffeIds: [], expectedSans: ip ? [] : [url.host] } } : {}),
    connectTimeoutMs: durationOr(provider.timeouts?.connect, DEFAULT_CONNECT_TIMEOUT_MS, report, ["providers", name, "timeouts", "connect"]),
    loadBalancing: "round_robin",
    circuitBreaker: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 },
  };
}

/** Refuses what the processor cannot do yet, and settings the provider's type never reads (used or not). */
export function isSupported(name: string, provider: LlmProvider, report: Reporter): boolean {
  const path = ["providers", name];
  for (const { field, types } of TYPE_ONLY_SETTINGS) {
    if (provider[field] !== undefined && !(types as readonly string[]).includes(provider.type)) {
      report.error("PCL4049", `Provider "${name}" sets ${field}, which only ${types.join(" and ")} providers read; for ${provider.type} it has no effect.`, [...path, field], `Remove ${field}.`);
    }
  }
  if (API_OF_TYPE[provider.type]) return true;
  report.error(
    "PCL4043",
    `Provider "${name}" is a ${provider.type} provider, which the AI processor does not support yet.`,
    [...path, "type"],
    "Use an openai, openai-compatible or anthropic provider (many vendors offer an OpenAI-compatible endpoint), or remove it until its adapter lands.",
  );
  return false;
}

/** Resolves one supported LLM provider (see isSupported); undefined (after reporting) when it cannot be served. */
export function resolveLlmProvider(name: string, provider: LlmProvider, config: GatewayConfig, source: SecretSource, report: Reporter): ResolvedLlmProvider | undefined {
  const text = provider.baseUrl ?? DEFAULT_BASE_URL[provider.type];
  const url = text === undefined ? undefined : parseBaseUrl(name, text, report);
  if (!url) return undefined; // a missing baseUrl is the config stage's PCL3020
  checkPlaintext(name, provider, url.tls, config, report);
  const apiKey = provider.apiKey ? readSecret(provider.apiKey, source, report, ["providers", name, "apiKey"]) : undefined;
  const api = API_OF_TYPE[provider.type]!;
  const catalog = catalogProvider(provider.type, text);
  return {
    provider: { name, type: provider.type as AiProviderIR["type"], api, cluster: name, ...(catalog ? { catalog } : {}), ...(apiKey ? { apiKey } : {}) },
    cluster: llmCluster(name, provider, url, report),
    chatPath: `${url.pathPrefix}${CHAT_PATH[api]}`,
    hostHeader: url.hostHeader,
    timeoutMs: durationOr(provider.timeouts?.request, DEFAULT_LLM_REQUEST_TIMEOUT_MS, report, ["providers", name, "timeouts", "request"]),
  };
}
