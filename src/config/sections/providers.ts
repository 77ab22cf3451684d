/** The providers section: backend services, LLM providers and MCP servers routes send traffic to. */

import type { Duration, SecretRef } from "./common.ts";

/** Something a route sends traffic to. */
export type Provider = ServiceProvider | LlmProvider | McpServerProvider;

/** A backend HTTP service. */
export interface ServiceProvider {
  type: "service";
  /**
   * Where the service runs, as `host:port`. IP addresses are used as they are; host names are
   * resolved through DNS.
   * @minItems 1
   * @example ["orders.internal:8443"]
   */
  endpoints: string[];
  /**
   * How host names are resolved: `strict` keeps every address DNS returns, `logical` connects to
   * the first one (for large DNS-balanced services).
   * @default "strict"
   */
  dns?: "strict" | "logical";
  /**
   * HTTP version spoken to the service.
   * @default "http1"
   */
  protocol?: "http1" | "http2";
  /** TLS to the service. Required in strict zero trust unless `plaintext` says why not. */
  tls?: UpstreamTls;
  /** An explicit, reported opt-out of upstream TLS. */
  plaintext?: Justification;
  /** Connect and request timeouts. */
  timeouts?: UpstreamTimeouts;
  /** Retry policy for requests to this service. */
  retries?: RetryPolicy;
  /** Active health checking. */
  healthCheck?: HealthCheck;
  /** Limits on concurrent work sent to the service. */
  circuitBreaker?: CircuitBreaker;
  /** Passive ejection of failing endpoints. */
  outlierDetection?: OutlierDetection;
  /**
   * How requests are spread over endpoints.
   * @default "round_robin"
   */
  loadBalancing?: "round_robin" | "least_request" | "random" | "ring_hash" | "maglev";
}

/** A reason for an explicit opt-out, shown by the policy engine and in review. */
export interface Justification {
  /**
   * Why the weaker setting is acceptable here.
   * @minLength 10
   */
  reason: string;
}

export interface UpstreamTls {
  /**
   * SNI sent to the service (a host name); defaults to the endpoint's host name.
   * @maxLength 255
   */
  sni?: string;
  /** PEM CA bundle that the service's certificate must chain to. Defaults to the system trust store. */
  caCertificate?: SecretRef;
  /** Client certificate for mTLS to the service. */
  clientCertificate?: { certificate: SecretRef; privateKey: SecretRef };
  /** SPIFFE IDs the service's certificate must carry (URI SAN). */
  expectedSpiffeIds?: string[];
  /** DNS subject alternative names the service's certificate must carry. */
  expectedSans?: string[];
}

export interface UpstreamTimeouts {
  /**
   * Time to establish a connection.
   * @default "5s"
   */
  connect?: Duration;
  /**
   * Time for a whole request, from the first byte sent to the last byte received.
   * @default "15s"
   */
  request?: Duration;
}

export interface RetryPolicy {
  /**
   * Retries after the first attempt.
   * @default 1
   * @asType integer
   * @minimum 0
   * @maximum 10
   */
  attempts?: number;
  /**
   * Conditions that trigger a retry (Envoy `retry_on` values).
   * @default ["connect-failure","refused-stream","unavailable","cancelled","retriable-status-codes"]
   */
  on?: string[];
  /** Timeout of each attempt. */
  perTryTimeout?: Duration;
  /**
   * Status codes that are retried when `retriable-status-codes` is set.
   * @default [503]
   */
  statusCodes?: HttpStatusCode[];
}

/**
 * An HTTP status code.
 * @asType integer
 * @minimum 100
 * @maximum 599
 */
export type HttpStatusCode = number;

export interface HealthCheck {
  /**
   * HTTP path probed on each endpoint, e.g. `/healthz`.
   * @pattern ^/
   */
  path: string;
  /**
   * Time between probes.
   * @default "10s"
   */
  interval?: Duration;
  /**
   * Time a probe may take.
   * @default "2s"
   */
  timeout?: Duration;
  /**
   * Successes before an endpoint is healthy again.
   * @default 2
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  healthyThreshold?: number;
  /**
   * Failures before an endpoint is unhealthy.
   * @default 3
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  unhealthyThreshold?: number;
}

export interface CircuitBreaker {
  /**
   * Most connections to the service.
   * @default 1024
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  maxConnections?: number;
  /**
   * Most requests waiting for a connection.
   * @default 1024
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  maxPendingRequests?: number;
  /**
   * Most requests in flight.
   * @default 1024
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  maxRequests?: number;
  /**
   * Most retries in flight.
   * @default 3
   * @asType integer
   * @minimum 0
   * @maximum 4294967295
   */
  maxRetries?: number;
}

export interface OutlierDetection {
  /**
   * Consecutive 5xx responses before an endpoint is ejected.
   * @default 5
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  consecutive5xx?: number;
  /**
   * How often ejection is evaluated.
   * @default "10s"
   */
  interval?: Duration;
  /**
   * How long an endpoint stays ejected (grows with each ejection).
   * @default "30s"
   */
  baseEjectionTime?: Duration;
  /**
   * Largest share of endpoints that may be ejected, in percent.
   * @default 50
   * @asType integer
   * @minimum 0
   * @maximum 100
   */
  maxEjectionPercent?: number;
}

/** A model provider. The gateway injects its credentials; clients never see them. */
export interface LlmProvider {
  type: "openai" | "anthropic" | "gemini" | "azure-openai" | "bedrock" | "openai-compatible";
  /**
   * Base URL of the API, as the vendor's own SDK takes it: with the version for OpenAI-style APIs
   * (`https://api.openai.com/v1`, `http://ollama.internal:11434/v1`), without it for Anthropic
   * (`https://api.anthropic.com`), Gemini (`https://generativelanguage.googleapis.com`) and Bedrock;
   * the resource endpoint for `azure-openai` (`https://my-resource.openai.azure.com`). Required for
   * `openai-compatible` and `azure-openai`; others default to the vendor's. An `http:` URL needs `plaintext`.
   */
  baseUrl?: string;
  /** An explicit, reported opt-out of TLS: required for an `http:` baseUrl. */
  plaintext?: Justification;
  /** API key or token, injected by the gateway. Not used by `bedrock`. */
  apiKey?: SecretRef;
  /**
   * Several keys of one provider account (or several accounts), pooled: each request starts with
   * the next key in turn, and an attempt the provider answers with 401 or 429 is made again with
   * the next key (then the alias's other targets and fallbacks). A key answered with 401 is left
   * out of the turn for 5 minutes. Instead of `apiKey`; read by serve, up and processor only,
   * never printed, logged or shown on /status. Not used by `bedrock`.
   * @minItems 2
   */
  apiKeys?: SecretRef[];
  /**
   * AWS region, for `bedrock`: requests are signed for it, and the default baseUrl is
   * `https://bedrock-runtime.<region>.amazonaws.com`.
   * @pattern ^[a-z]{2}(-[a-z]+)+-\d+$
   */
  region?: string;
  /**
   * AWS credentials, for `bedrock`: the gateway signs each request with them (SigV4). Read by
   * serve, up and validate only; never in generated output.
   */
  awsCredentials?: AwsCredentials;
  /**
   * The `api-version` query parameter every `azure-openai` request carries.
   * @default "2024-10-21"
   * @example "2024-10-21"
   */
  apiVersion?: string;
  /**
   * Azure OpenAI deployment of each model, for `azure-openai`: requests for a model go to
   * `{baseUrl}/openai/deployments/{deployment}/chat/completions`. A model not listed uses a
   * deployment of its own name.
   * @example { "gpt-4o-mini": "prod-gpt4o-mini" }
   */
  deployments?: Record<string, string>;
  /** Models this provider may be asked for. Omit to allow any model the provider serves. */
  models?: string[];
  /**
   * Timeouts for calls to the provider. `request` covers a whole answer, streamed ones included,
   * so for model providers it defaults to 5m instead of 15s.
   */
  timeouts?: UpstreamTimeouts;
}

/** AWS credentials of an IAM identity allowed to call Bedrock (`bedrock:InvokeModel`, `bedrock:InvokeModelWithResponseStream`). */
export interface AwsCredentials {
  /** Access key id (`AKIA...`, or `ASIA...` with a sessionToken). */
  accessKeyId: SecretRef;
  /** Secret access key that signs every request (SigV4); never written to generated files or logs. */
  secretAccessKey: SecretRef;
  /** Session token of temporary credentials, sent as `x-amz-security-token`. */
  sessionToken?: SecretRef;
}

/** A Model Context Protocol server reached over Streamable HTTP. */
export interface McpServerProvider {
  type: "mcp";
  /**
   * URL of the server's Streamable HTTP endpoint, e.g. `https://tools.internal/mcp`: requests go
   * to its host and path, with its host name as Host and (for https) SNI and checked name.
   */
  url: string;
  /** TLS to the server when the URL is https: a CA bundle, a client certificate, names to check. */
  tls?: UpstreamTls;
  /** An explicit, reported opt-out of TLS: required for an `http:` URL. */
  plaintext?: Justification;
  /**
   * Credential the gateway sends the server as `Authorization: Bearer ...` (read from a file or
   * variable by serve, up and validate only). The client's own Authorization header is never
   * forwarded: its token is for the gateway.
   */
  bearerToken?: SecretRef;
  /** Timeouts for calls to the server; `request` covers a whole answer, streamed ones included. */
  timeouts?: UpstreamTimeouts;
}
