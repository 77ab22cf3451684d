/**
 * LLM providers → the AI IR's providers and their Envoy clusters. The processor never connects to
 * a provider: Envoy does, through the cluster resolved here (TLS with the provider's host name
 * checked, or plaintext only where the config says why).
 */
import { isIP } from "node:net";
import { catalogProvider } from "../ai/catalog.ts";
import { FIXED_PATHS } from "../ai/routing/upstream-paths.ts";
import { DEFAULT_AZURE_API_VERSION, embeddingsPath, upstreamPaths } from "../ai/providers/upstream-path.ts";
import type { GatewayConfig, LlmProvider } from "../config/types.ts";
import type { AiAwsSigningIR, AiProviderIR, ClusterIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS, durationOr } from "./resolve-clusters.ts";
import { readSecret, type SecretSource } from "./secrets.ts";
import { parseUpstreamUrl } from "./upstream-url.ts";

/** A whole answer, streamed ones included, must fit the route timeout: models can write for minutes. */
export const DEFAULT_LLM_REQUEST_TIMEOUT_MS = 300_000;

/** The wire format the processor speaks to each provider type. */
const API_OF_TYPE: Record<LlmProvider["type"], AiProviderIR["api"]> = {
  openai: "openai",
  "openai-compatible": "openai",
  anthropic: "anthropic",
  gemini: "gemini",
  "azure-openai": "azure-openai",
  bedrock: "bedrock",
};

/** The vendors' own base URLs, as their SDKs take them. */
function defaultBaseUrl(provider: LlmProvider): string | undefined {
  if (provider.type === "bedrock") return provider.region ? `https://bedrock-runtime.${provider.region}.amazonaws.com` : undefined;
  return { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com", gemini: "https://generativelanguage.googleapis.com" }[provider.type as string];
}

/** Settings that only some provider types read; elsewhere they would be silently ignored. */
const TYPE_ONLY_SETTINGS = [
  { field: "region", types: ["bedrock"] },
  { field: "awsCredentials", types: ["bedrock"] },
  { field: "apiVersion", types: ["azure-openai"] },
  { field: "deployments", types: ["azure-openai"] },
] as const;

/** One provider route: the upstream path, and the path header value that selects it (absent: the provider's only route). */
export interface LlmUpstream {
  readonly selector?: string;
  readonly path: string;
}

/** One resolved provider: what the processor needs, the cluster Envoy needs, and its route's upstream path, host and timeout. */
export interface ResolvedLlmProvider {
  readonly provider: AiProviderIR;
  readonly cluster: ClusterIR;
  /** The provider's chat endpoint (`/v1/chat/completions`), or one per path its models take (`/v1beta/models/gemini-2.5-flash:generateContent`). */
  readonly upstreams: readonly LlmUpstream[];
  /** The same for the embeddings endpoint; none where the provider cannot embed (Anthropic, Bedrock Converse). */
  readonly embeddingUpstreams: readonly LlmUpstream[];
  /** The Host header the provider expects (`api.openai.com`, `127.0.0.1:8080`). */
  readonly hostHeader: string;
  readonly timeoutMs: number;
}

function parseBaseUrl(name: string, text: string, report: Reporter) {
  const url = parseUpstreamUrl(text, (carried) =>
    report.error("PCL4048", `The baseUrl of provider "${name}" carries ${carried}, which the gateway would not send as written.`, ["providers", name, "baseUrl"], "Write the URL without user:password@, ?query or #fragment; put the key under apiKey."),
  );
  return url && { ...url, pathPrefix: url.pathname.replace(/\/+$/, "") };
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

/** Refuses settings the provider's type never reads (used or not), and credentials it cannot send. */
export function checkProviderSettings(name: string, provider: LlmProvider, report: Reporter): void {
  const path = ["providers", name];
  for (const { field, types } of TYPE_ONLY_SETTINGS) {
    if (provider[field] !== undefined && !(types as readonly string[]).includes(provider.type)) {
      report.error("PCL4049", `Provider "${name}" sets ${field}, which only ${types.join(" and ")} providers read; for ${provider.type} it has no effect.`, [...path, field], `Remove ${field}.`);
    }
  }
  if (provider.type === "bedrock" && provider.apiKey !== undefined) {
    report.error("PCL4160", `Provider "${name}" is a bedrock provider, which signs requests with awsCredentials; its apiKey would never be sent.`, [...path, "apiKey"], "Remove apiKey; put the IAM access key under awsCredentials.");
  }
  if (provider.type === "bedrock" && provider.apiKeys !== undefined) {
    report.error("PCL4152", `Provider "${name}" is a bedrock provider, which signs requests with awsCredentials; its apiKeys would never be sent.`, [...path, "apiKeys"], "Remove apiKeys; pooled AWS credentials are not supported yet.");
  }
  if (provider.apiKey !== undefined && provider.apiKeys !== undefined) {
    report.error("PCL4151", `Provider "${name}" has both apiKey and apiKeys: which keys it takes turns with would be unclear.`, [...path, "apiKeys"], "Put every key under apiKeys and remove apiKey.");
  }
}

/** Resolves one LLM provider (after checkProviderSettings); undefined (after reporting) when it cannot be served. */
export function resolveLlmProvider(name: string, provider: LlmProvider, config: GatewayConfig, source: SecretSource, report: Reporter): ResolvedLlmProvider | undefined {
  const text = provider.baseUrl ?? defaultBaseUrl(provider);
  const url = text === undefined ? undefined : parseBaseUrl(name, text, report);
  if (!url) return undefined; // a missing baseUrl is the config stage's PCL3020
  checkPlaintext(name, provider, url.tls, config, report);
  const apiKey = provider.apiKey && provider.type !== "bedrock" ? readSecret(provider.apiKey, source, report, ["providers", name, "apiKey"]) : undefined;
  const apiKeys = provider.apiKeys && provider.type !== "bedrock" ? provider.apiKeys.map((key, index) => readSecret(key, source, report, ["providers", name, "apiKeys", index])) : undefined;
  const api = API_OF_TYPE[provider.type]!;
  const catalog = catalogProvider(provider.type, text);
  const azure = provider.type === "azure-openai" ? { apiVersion: provider.apiVersion ?? DEFAULT_AZURE_API_VERSION, deployments: provider.deployments ?? {} } : undefined;
  const aws = provider.type === "bedrock" ? awsSigning(name, provider, url, source, report) : undefined;
  if (provider.type === "bedrock" && !aws) return undefined;
  const ir: AiProviderIR = { name, type: provider.type as AiProviderIR["type"], api, cluster: name, ...(catalog ? { catalog } : {}), ...(apiKey ? { apiKey } : {}), ...(apiKeys ? { apiKeys } : {}), upstream: { host: url.hostHeader, pathPrefix: url.pathPrefix }, ...(azure ? { azure } : {}), ...(aws ? { aws } : {}) };
  const chatPath = FIXED_PATHS[api]?.chat;
  return {
    provider: ir,
    cluster: llmCluster(name, provider, url, report),
    upstreams: chatPath ? [{ path: `${url.pathPrefix}${chatPath}` }] : upstreamPaths(ir, modelsOf(name, config)).map((path) => ({ selector: path, path: `${url.pathPrefix}${path}` })),
    embeddingUpstreams: embeddingUpstreams(ir, url.pathPrefix, modelsOf(name, config)),
    hostHeader: url.hostHeader,
    timeoutMs: durationOr(provider.timeouts?.request, DEFAULT_LLM_REQUEST_TIMEOUT_MS, report, ["providers", name, "timeouts", "request"]),
  };
}

/** The models aliases ask a provider for (targets and fallbacks): each has its own upstream path where the path names the model. */
function modelsOf(name: string, config: GatewayConfig): string[] {
  const targets = Object.values(config.ai?.models ?? {}).flatMap((alias) => [...(alias.targets ?? []), ...(alias.fallbacks ?? [])]);
  return targets.filter((target) => target.provider === name).map((target) => target.model);
}

/** Bedrock's signing inputs; undefined (after the config stage's PCL3020) when region or credentials are missing. */
function awsSigning(name: string, provider: LlmProvider, url: NonNullable<ReturnType<typeof parseBaseUrl>>, source: SecretSource, report: Reporter): AiAwsSigningIR | undefined {
  const credentials = provider.awsCredentials;
  if (!provider.region || !credentials) return undefined;
  const path = ["providers", name, "awsCredentials"];
  const accessKeyId = readSecret(credentials.accessKeyId, source, report, [...path, "accessKeyId"]);
  const secretAccessKey = readSecret(credentials.secretAccessKey, source, report, [...path, "secretAccessKey"]);
  const sessionToken = credentials.sessionToken ? readSecret(credentials.sessionToken, source, report, [...path, "sessionToken"]) : undefined;
  return { region: provider.region, host: url.hostHeader, pathPrefix: url.pathPrefix, accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** OpenAI's one embeddings path, or one per model where the path names it (Azure, Gemini); none for providers that cannot embed. */
function embeddingUpstreams(provider: AiProviderIR, pathPrefix: string, models: readonly string[]): LlmUpstream[] {
  const fixed = FIXED_PATHS[provider.api]?.embeddings;
  if (fixed) return [{ path: `${pathPrefix}${fixed}` }];
  const paths = [...new Set(models.map((model) => embeddingsPath(provider, model)).filter((path) => path !== undefined))].sort();
  return paths.map((path) => ({ selector: path, path: `${pathPrefix}${path}` }));
}
