/**
 * The IR: one normalized, fully-resolved model of a gateway. Defaults are applied, references are
 * followed, access rules and lifecycle are folded into each route and full paths are computed, so
 * the translator (src/xds) never needs to know where a setting came from. Plain readonly data;
 * the only non-plain values are secrets, which print as [redacted].
 */
import type { HttpMethod, LifecycleState } from "../config/types.ts";
import type { SecretValue } from "./secret-value.ts";

export type { HttpMethod, LifecycleState };

export interface GatewayIR {
  /** gateway.name: the node.cluster of the Envoys that receive this config. */
  readonly name: string;
  /** The request headers the gateway sets for the verified caller (and removes from client requests). */
  readonly identityHeaders: IdentityHeadersIR;
  readonly trustedProxyHops: number;
  readonly limits: LimitsIR;
  readonly listeners: readonly ListenerIR[];
  readonly clusters: readonly ClusterIR[];
  readonly secrets: readonly SecretIR[];
  /** Every route that Envoy serves, in match order (most specific first). */
  readonly routes: readonly RouteIR[];
  /** JWT identities, verified by Envoy's jwt_authn filter. */
  readonly jwtProviders: readonly JwtProviderIR[];
  /** API-key identities, verified by Envoy's api_key_auth filter. */
  readonly apiKeyProviders: readonly ApiKeyProviderIR[];
  readonly accessLog: AccessLogIR;
  /** Every API as declared, drafts included: what governance policies read (`routes` holds only what Envoy serves). */
  readonly apis: readonly ApiIR[];
  /** How the policy engine (src/policy) runs for this gateway: packs, severities, waivers. */
  readonly policy: PolicyIR;
  /** Access granted by reviewed change (`access.grants`), in config order, expired ones included (they give no access). */
  readonly grants: readonly GrantIR[];
  /** The AI gateway, served by the AI processor over ext_proc; absent without an `ai` section. */
  readonly ai?: AiIR;
  /** Portcullis's rate-limit service; absent when no limit has `mode: "global"`. */
  readonly rateLimitService?: RateLimitServiceIR;
  /** The MCP gateway (tool authorization in Envoy, list filtering in the processor); absent without an `mcp` section. */
  readonly mcp?: McpIR;
}

/** An API as declared: its owner, documents and every version with its lifecycle. */
export interface ApiIR {
  readonly name: string;
  /** Position in the config's `apis` list, where findings about the API are placed. */
  readonly index: number;
  readonly owner: string;
  readonly description?: string;
  /** Path of the API's OpenAPI document, as written (relative to the config file). */
  readonly openapi?: string;
  /** Sorted by name, drafts included. */
  readonly versions: readonly ApiVersionIR[];
  /** The routes outside every version (`apis[].unversioned`). */
  readonly unversioned?: UnversionedRoutesIR;
}

/** An API's unversioned routes as declared: what their routes inherit, and their names. */
export interface UnversionedRoutesIR {
  readonly access?: AccessIR;
  /** In config order (derived where unnamed). */
  readonly routes: readonly string[];
}

export interface ApiVersionIR {
  readonly name: string;
  readonly state: LifecycleState;
  /** `YYYY-MM-DD`, as written. */
  readonly deprecatedOn?: string;
  /** `YYYY-MM-DD`, as written. */
  readonly sunset?: string;
  readonly successor?: string;
  /** The access its routes inherit; absent when the version sets none (each route then denies or sets its own). */
  readonly access?: AccessIR;
  /** The names of the routes the config lists, in config order (derived where unnamed); a retired version's are never routed. */
  readonly routes: readonly string[];
}

/** One `access.grants` entry: whom it admits where, who asked and approved, and until when. */
export interface GrantIR {
  /** Position in `access.grants`, where findings about it are placed. */
  readonly index: number;
  /** `consumer acme`, `team payments` or `subject svc-batch of customers`. */
  readonly grantee: string;
  readonly api: string;
  readonly version: string;
  /** The route names it covers; absent: every route of the version. */
  readonly routes?: readonly string[];
  readonly requester: string;
  readonly approver: string;
  readonly reason: string;
  /** As written (RFC 3339). */
  readonly expires: string;
  /** Whether it still gives access at the instant of the compile. */
  readonly active: boolean;
}

/** The policy engine's settings. */
export interface PolicyIR {
  /** `permissive` reports the zero-trust pack's errors as warnings (zeroTrust.mode). */
  readonly zeroTrust: "strict" | "permissive";
  /** The user's rule packs: as written, and resolved against the config file's directory. */
  readonly packs: readonly { readonly written: string; readonly file: string }[];
  /** Severity per rule id, in config order. */
  readonly rules: readonly { readonly rule: string; readonly severity: "error" | "warning" | "off" }[];
  /** In config order (a waiver's index places findings about it). */
  readonly waivers: readonly WaiverIR[];
}

export interface WaiverIR {
  readonly rule: string;
  readonly target: string;
  readonly reason: string;
  readonly owner: string;
  /** `YYYY-MM-DD`: the waiver applies through this day. */
  readonly expires: string;
}

export interface IdentityHeadersIR {
  readonly identity: string;
  readonly subject: string;
  readonly scopes: string;
  readonly roles: string;
  readonly groups: string;
  readonly consumer: string;
  readonly spiffeId: string;
}

export interface JwtProviderIR {
  /** The identity's name: provider name, and the metadata key its verified payload is stored under. */
  readonly name: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwks: { readonly kind: "local"; readonly json: string } | { readonly kind: "remote"; readonly uri: string; readonly cluster: string; readonly cacheDurationMs: number };
  readonly clockSkewSeconds: number;
  readonly fromHeaders: readonly { readonly name: string; readonly prefix: string }[];
  readonly fromParams: readonly string[];
  readonly fromCookies: readonly string[];
  /** The claims that hold the caller's subject, scopes, roles and groups (paths: `a.b` is nested). */
  readonly claims: { readonly subject: string; readonly scopes: string; readonly roles?: string; readonly groups?: string };
}

export interface ApiKeyProviderIR {
  /** The identity's name. */
  readonly name: string;
  readonly source: ApiKeySourceIR;
  readonly consumers: readonly ApiKeyConsumerIR[];
}

/** Where an API key is read from: one header (lower case) or one query parameter. */
export type ApiKeySourceIR = { readonly header: string } | { readonly query: string };

export interface ApiKeyConsumerIR {
  /** Unique across every API-key identity: the client name Envoy forwards, logs and authorizes. */
  readonly name: string;
  readonly team?: string;
  /** The consumer's keys (empty when secrets are placeholders); never printed. */
  readonly keys: readonly SecretValue[];
}

export interface LimitsIR {
  readonly requestHeadersTimeoutMs: number;
  readonly streamIdleTimeoutMs: number;
  readonly maxRequestHeadersKb: number;
  readonly connectionBufferBytes: number;
  readonly maxConnections: number;
}

export interface ListenerIR {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly hostnames: readonly string[];
  readonly tls?: ListenerTlsIR;
}

export interface ListenerTlsIR {
  /** Name of the SDS Secret holding the certificate chain and key. */
  readonly certificateSecret: string;
  readonly minVersion: "1.2" | "1.3";
  readonly clientCertificate?: { readonly caSecret: string; readonly required: boolean };
}

/** A secret read at compile time; `value`s never print. */
export interface SecretIR {
  readonly name: string;
  readonly kind: "tls-certificate" | "validation-context";
  /** PEM chain (tls-certificate) or CA bundle (validation-context). */
  readonly certificate: SecretValue;
  readonly privateKey?: SecretValue;
}

export interface EndpointIR {
  readonly host: string;
  readonly port: number;
}

export interface ClusterIR {
  readonly name: string;
  /** EDS (over ADS) when every endpoint is an IP address; DNS otherwise. */
  readonly discovery: "eds" | "strict-dns" | "logical-dns";
  readonly endpoints: readonly EndpointIR[];
  readonly protocol: "http1" | "http2";
  readonly tls?: UpstreamTlsIR;
  readonly connectTimeoutMs: number;
  readonly loadBalancing: "round_robin" | "least_request" | "random" | "ring_hash" | "maglev";
  readonly healthCheck?: HealthCheckIR;
  readonly circuitBreaker: CircuitBreakerIR;
  readonly outlierDetection?: OutlierDetectionIR;
}

export interface UpstreamTlsIR {
  readonly sni: string;
  /** SDS Secret with the CA bundle; absent means the system trust store. */
  readonly caSecret?: string;
  readonly clientCertificateSecret?: string;
  readonly expectedSpiffeIds: readonly string[];
  readonly expectedSans: readonly string[];
}

export interface HealthCheckIR {
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface CircuitBreakerIR {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
}

export interface OutlierDetectionIR {
  readonly consecutive5xx: number;
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionPercent: number;
}

export interface RetryIR {
  readonly attempts: number;
  readonly on: readonly string[];
  readonly perTryTimeoutMs?: number;
  readonly statusCodes: readonly number[];
  /** Each retry goes to the next priority of the cluster's endpoints (an AI route's chain of targets), never back to one tried. */
  readonly nextPriorityEachTry?: true;
}

export interface RouteIR {
  /** Unique in the gateway: `<api>.<version>.<route>`. */
  readonly id: string;
  readonly api: string;
  readonly version: string;
  readonly name: string;
  /** Host names whose virtual hosts carry this route. */
  readonly hostnames: readonly string[];
  readonly match: RouteMatchIR;
  readonly lifecycle: LifecycleIR;
  readonly action: ForwardActionIR | GoneActionIR | AiProcessorActionIR | RespondActionIR;
  readonly access: AccessIR;
  readonly rateLimit?: RateLimitIR;
  /** The API's rate limit (`apis[].rateLimit`), counted across the routes it covers. */
  readonly apiRateLimit?: RateLimitIR;
  readonly cors?: CorsIR;
  /** Routes of the AI gateway: the AI processor (ext_proc) handles them. */
  readonly ai?: AiRouteIR;
  /** The endpoint route of an MCP API: Envoy's mcp filter, the tool rules and the MCP processor apply. */
  readonly mcp?: McpRouteIR;
  /** The MCP endpoint of an API version published as tools: Envoy's JSON-REST bridge turns calls into REST requests. */
  readonly mcpRestTools?: McpRestToolsRouteIR;
  /** The tool-list route of such an endpoint (its path): the MCP processor cuts the answer down to the caller's tools. */
  readonly mcpToolList?: { readonly endpoint: string };
  /** A route of `apis[].unversioned`: its version is `-`, its path has no version segment or header. */
  readonly unversioned?: true;
}

export interface RouteMatchIR {
  /** `exact` path, `prefix` on whole segments, or a `template` with named segments. */
  readonly kind: "exact" | "prefix" | "template";
  /** The full path as clients send it, version prefix and base path included. */
  readonly path: string;
  /** As written, sorted; empty: the default methods (src/xds/route-methods.ts says what a route takes). */
  readonly methods: readonly HttpMethod[];
  /** Header conditions, sorted by name; the version header when versioning is by header. */
  readonly headers: readonly HeaderMatchIR[];
  /** An exact path that also matches with one trailing slash (`/v1/orders/`): the API's `trailingSlash: optional`. */
  readonly trailingSlash?: true;
}

export interface HeaderMatchIR {
  readonly name: string;
  /** Exact value; absent means present with any value. */
  readonly value?: string;
  /** Match only when the header is absent (the default version of header versioning). */
  readonly absent?: boolean;
}

export interface LifecycleIR {
  readonly state: "published" | "deprecated" | "retired";
  /** Unix seconds for the `Deprecation` header (RFC 9745). */
  readonly deprecatedAt?: number;
  /** HTTP-date for the `Sunset` header (RFC 8594). */
  readonly sunset?: string;
  readonly successor?: { readonly version: string; readonly link: string };
}

export interface ForwardActionIR {
  readonly kind: "forward";
  readonly cluster: string;
  readonly timeoutMs: number;
  readonly retry?: RetryIR;
  readonly rewrite?: RewriteIR;
}

/**
 * An AI route the processor answers itself (the model list) or re-routes to a provider route
 * (chat): Envoy's own action only runs if the processor did neither, and then fails closed.
 */
export interface AiProcessorActionIR {
  readonly kind: "ai-processor";
}

/** A document Envoy serves itself with status 200 (an MCP API's protected-resource metadata). */
export interface RespondActionIR {
  readonly kind: "respond";
  readonly contentType: string;
  readonly body: string;
}

/** A retired version: 410 with an RFC 9457 problem+json body. */
export interface GoneActionIR {
  readonly kind: "gone";
  readonly body: string;
}

export interface RewriteIR {
  /** Replacement for the matched prefix (prefix matches) or the whole path (exact matches). */
  readonly prefix?: string;
  readonly template?: string;
  readonly host?: string;
}

/**
 * Who may call, folded from the route or its version. Deny by default: a route with no rule is
 * `deny`; `identities` is enforced only for `enforced` kinds, and fails closed otherwise.
 */
export type AccessIR =
  | { readonly kind: "public"; readonly reason: string }
  | { readonly kind: "deny" }
  | { readonly kind: "identities"; readonly rules: readonly AllowRuleIR[] };

export interface AllowRuleIR {
  /** The identity the caller presents; absent for an address rule (`identityType: "address"`). */
  readonly identity?: string;
  readonly identityType: "jwt" | "apiKey" | "mtls" | "address";
  /** JWT: the claims that hold scopes, roles and groups (absent: not mapped, so a condition on it never holds). */
  readonly claimNames?: { readonly scopes: string; readonly roles?: string; readonly groups?: string };
  /** API key: where the key is read from, the consumers this rule admits (those named, or all), and the header the verified consumer is written to. */
  readonly apiKey?: { readonly source: ApiKeySourceIR; readonly consumers: readonly string[]; readonly consumerHeader: string };
  /** mTLS: the SPIFFE IDs / SANs of the clients this rule admits. */
  readonly mtlsPrincipals?: readonly string[];
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly claims: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly consumers: readonly string[];
  readonly spiffeIds: readonly string[];
  readonly clientCidrs: readonly string[];
}

/**
 * One rate limit on a route: its own (`scope: "route"`) or its API's. The same limit on several
 * routes (an API's) has the same `policy`, and so shares one count.
 */
export interface RateLimitIR {
  /** Names the count and the limit in `RateLimit-Policy`: the route id, the API name, or `api.version`. */
  readonly policy: string;
  readonly requests: number;
  readonly periodSeconds: number;
  readonly by: "global" | "client" | "identity" | "consumer" | "team";
  readonly scope: "route" | "api" | "version";
  readonly mode: "local" | "global";
  /** What Envoy does when the rate-limit service fails (global mode; `deny` for local limits). */
  readonly failureMode: "deny" | "allow";
  /**
   * The gateway-set header the key is read from: the admitting identity's name (`identity`) or the
   * verified API-key consumer (`consumer`, `team`); absent for `global` and `client`.
   */
  readonly keyHeader?: string;
  /** `by: "identity"`: the identities the route admits, each with the header that holds its verified principal. */
  readonly identities?: readonly { readonly name: string; readonly principalHeader: string }[];
  /** `by: "team"`: each team with its API-key consumers, sorted. */
  readonly teams?: readonly { readonly team: string; readonly consumers: readonly string[] }[];
}

/** Where Envoy reaches Portcullis's rate-limit service; present when some limit has `mode: "global"`. */
export interface RateLimitServiceIR {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** The Envoy cluster that points there. */
  readonly cluster: string;
}

export interface CorsIR {
  readonly origins: readonly string[];
  readonly methods: readonly HttpMethod[];
  readonly headers: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

export interface AccessLogIR {
  /** `stdout`, or a file path. */
  readonly destination: string;
  /** Request headers never logged (lower case), on top of the built-in list. */
  readonly redactHeaders: readonly string[];
  /** Where Envoy sends access logs over gRPC for the audit store; absent with `audit.store: false`. */
  readonly store?: AuditStoreIR;
}

/** The audit store and the access-log receiver that fills it (src/audit). */
export interface AuditStoreIR {
  /** The SQLite file, resolved against the config's directory. */
  readonly file: string;
  /** Records older than this are deleted. */
  readonly retentionMs: number;
  readonly receiver: { readonly host: string; readonly port: number };
  /** The Envoy cluster that reaches the receiver. */
  readonly cluster: string;
}

/** What an AI route is: which endpoint of the OpenAI-style API, and for provider routes, the provider. */
export interface AiRouteIR {
  /** `responses`: the OpenAI Responses API, which the processor serves as a chat request on the chat routes. */
  readonly endpoint: "chat" | "embeddings" | "messages" | "models" | "responses";
  /** Provider routes: the processor selects one by setting the provider header (ai.routeHeader) and clearing the route cache. */
  readonly provider?: string;
  /** Chain routes: the same, for a request that may take several attempts (AiChainIR); the header names the chain. */
  readonly chain?: string;
  /** Routes of a prompt API (its name): the processor builds the chat request from the prompt (src/ai/prompts). */
  readonly prompt?: string;
}

/** The AI gateway: an OpenAI-style API in front of model providers, served by the AI processor. */
export interface AiIR {
  /** Path of the OpenAI-style API, e.g. `/ai/v1`. */
  readonly basePath: string;
  /** Where Envoy reaches the processor, and the cluster that points there. */
  readonly processor: { readonly address: AiProcessorAddressIR; readonly cluster: string };
  /** The request header the processor sets to pick a provider route; removed from client requests. */
  readonly routeHeader: string;
  /** Model aliases clients name, sorted by alias. */
  readonly models: readonly AiModelIR[];
  /** The LLM providers the aliases use, sorted by name. */
  readonly providers: readonly AiProviderIR[];
  /** Budgets and per-minute rate limits, in config order (budgets first); a request must fit every one that applies. */
  readonly budgets: readonly AiBudgetIR[];
  /** Where the counters live: in the processor (written behind to its SQLite file) or in a Redis server replicas share. */
  readonly budgetStore: AiBudgetStoreIR;
  /** The attempt chains requests with fallbacks or pooled keys take, sorted by name; each is a cluster and a route per endpoint. */
  readonly chains: readonly AiChainIR[];
  /** Prompt APIs (the `prompts` section), sorted by path. */
  readonly prompts: readonly AiPromptIR[];
}

/** A prompt published as a POST endpoint: the body checked against `input`, the template filled, the alias asked. */
export interface AiPromptIR {
  readonly name: string;
  readonly path: string;
  /** The model alias asked. */
  readonly model: string;
  readonly template: string;
  readonly system?: string;
  /** JSON Schema of the request body, closed (`additionalProperties: false`) unless the config set it. */
  readonly input: Readonly<Record<string, unknown>>;
  /** JSON Schema the answer, parsed as JSON, must satisfy. */
  readonly output?: Readonly<Record<string, unknown>>;
  readonly maxTokens?: number;
  /** Whether every provider the alias may reach takes a JSON schema as response_format (then the request asks for one). */
  readonly jsonSchemaMode: boolean;
}

/**
 * The attempts one request may take, in order: Envoy retries through them (one priority of the
 * chain's cluster each), and the processor translates and signs the request for each attempt's
 * provider, model and key (src/ai/routing).
 */
export interface AiChainIR {
  /** `portcullis_ai_chain_<hash of the attempts>`: the cluster's name and the route header's value. */
  readonly name: string;
  readonly endpoints: readonly ("chat" | "embeddings" | "messages")[];
  readonly attempts: readonly AiAttemptIR[];
  /** The longest request timeout of the attempts' providers: the route's, covering every attempt. */
  readonly timeoutMs: number;
  /** Each attempt's time to start answering (the alias's attemptTimeout). */
  readonly attemptTimeoutMs?: number;
}

export interface AiAttemptIR {
  readonly provider: string;
  readonly model: string;
  /** Which of the provider's keys, in the order the request takes them (0: its first). */
  readonly keySlot: number;
}

/** A budget or rate limit: what it counts, per whom, over which calendar window, and whether it refuses. */
export interface AiBudgetIR {
  readonly name: string;
  /** `rate-limit`: from ai.rateLimits (period `minute`). */
  readonly kind: "budget" | "rate-limit";
  readonly scope: "global" | "identity" | "subject" | "consumer" | "team";
  /** Only these members of the scope, each counted apart; absent: every one. */
  readonly only?: readonly string[];
  /** Limits per window; at least one is set. */
  readonly limits: { readonly usd?: number; readonly tokens?: number; readonly requests?: number };
  readonly period: "minute" | "day" | "week" | "month";
  /** IANA time zone of the calendar (UTC for minutes). */
  readonly timeZone: string;
  readonly mode: "block" | "audit";
}

export type AiBudgetStoreIR = { readonly kind: "memory" } | { readonly kind: "redis"; readonly url: SecretValue; readonly keyPrefix: string };

/** A loopback IP and port, or a unix socket (an absolute path). */
export type AiProcessorAddressIR = { readonly kind: "tcp"; readonly host: string; readonly port: number } | { readonly kind: "unix"; readonly path: string };

export interface AiTargetIR {
  readonly provider: string;
  readonly model: string;
  readonly weight: number;
}

export interface AiModelIR {
  readonly alias: string;
  /** The first target's provider (a request's own target: src/ai/routing/pick.ts). */
  readonly provider: string;
  /** The first target's model name at its provider. */
  readonly model: string;
  /** Every target, in config order, with its weight; a request starts with one picked by weight. */
  readonly targets: readonly AiTargetIR[];
  /** Tried in order after the targets. */
  readonly fallbacks: readonly AiTargetIR[];
  /** Each attempt's time to start answering before the next is tried; absent: no limit but the provider's request timeout. */
  readonly attemptTimeoutMs?: number;
  /** Largest `max_tokens` a client may ask for; also what is sent when the client names none. */
  readonly maxTokens?: number;
}

export interface AiProviderIR {
  readonly name: string;
  /** The provider's type from the config (the OpenAI type also takes OpenAI's newer parameter names). */
  readonly type: "openai" | "openai-compatible" | "anthropic" | "gemini" | "azure-openai" | "bedrock";
  /** The wire format the provider speaks. */
  readonly api: "openai" | "anthropic" | "gemini" | "azure-openai" | "bedrock";
  /** The provider's cluster (named after the provider). */
  readonly cluster: string;
  /** Who prices its models in the model catalog (src/ai/catalog.ts); absent when the catalog does not know the provider. */
  readonly catalog?: string;
  /** The provider's key, injected by the processor; absent for keyless OpenAI-compatible servers. Never printed. */
  readonly apiKey?: SecretValue;
  /** A pool of keys instead (two or more): each request starts with the next, and a 401 or 429 moves the attempt on to another. Never printed. */
  readonly apiKeys?: readonly SecretValue[];
  /** Where a chain's attempt is sent (the processor sets them per attempt): the Host header and the base URL's path. Always set by the compiler. */
  readonly upstream?: { readonly host: string; readonly pathPrefix: string };
  /** Azure OpenAI: the api-version every request carries, and the deployment of each model (default: the model's name). */
  readonly azure?: { readonly apiVersion: string; readonly deployments: Readonly<Record<string, string>> };
  /** AWS Bedrock: what requests are signed (SigV4) for and with: the Host and path prefix Envoy sends, the region and the credentials. */
  readonly aws?: AiAwsSigningIR;
}

export interface AiAwsSigningIR {
  readonly region: string;
  /** The Host header the provider route sends, which the signature covers. */
  readonly host: string;
  /** The base URL's path, before `/model/...`. */
  readonly pathPrefix: string;
  readonly accessKeyId: SecretValue;
  readonly secretAccessKey: SecretValue;
  readonly sessionToken?: SecretValue;
}

/** The MCP gateway: MCP APIs whose tool calls Envoy authorizes and whose tool lists the processor filters. */
export interface McpIR {
  /** Where Envoy reaches the processor (the AI processor's, when there is an `ai` section). */
  readonly processor: { readonly address: AiProcessorAddressIR; readonly cluster: string };
  /** In config order. */
  readonly apis: readonly McpApiIR[];
  /** API versions published as MCP tools, by API and version: the processor filters their tool lists to each caller's tools and audits their calls. */
  readonly restTools: readonly McpRestToolsRouteIR[];
}

export interface McpApiIR {
  readonly name: string;
  /** The path clients connect to. */
  readonly path: string;
  /** The MCP provider (and its cluster's) name. */
  readonly server: string;
  /** In config order: the first rule whose pattern matches a tool decides. */
  readonly tools: readonly McpRuleIR[];
  /** The same for prompts by name; absent: every prompt is open to the callers the API admits. */
  readonly prompts?: readonly McpRuleIR[];
  /** The same for resources by URI; absent: every resource is open to the callers the API admits. */
  readonly resources?: readonly McpRuleIR[];
  /** The RFC 8707 resource URL; absent when no JWT identity may connect. */
  readonly resource?: string;
  /** The RFC 9728 metadata document's URL, named in 401 challenges. */
  readonly resourceMetadataUrl?: string;
  readonly maxRequestBytes: number;
  /** Sent to the server as `Authorization: Bearer …` by the processor. Never printed. */
  readonly bearerToken?: SecretValue;
  /** Several servers behind this endpoint (`servers`), in config order; `server` is then the first one's. */
  readonly federation?: readonly McpFederatedServerIR[];
}

/**
 * One server of a federated MCP endpoint. Envoy's mcp_router answers initialize and tools/list
 * for all of them (fanned out, tools named `<prefix>__<tool>`) and sends each call to the server
 * its prefix names, without the prefix; the processor gives each server its own credential as an
 * upstream filter of the server's cluster.
 */
export interface McpFederatedServerIR {
  readonly prefix: string;
  /** The MCP provider (and its cluster's) name. */
  readonly server: string;
  /** The path and Host header the server takes. */
  readonly path: string;
  readonly hostHeader: string;
  readonly timeoutMs: number;
  /** Sent to this server as `Authorization: Bearer …` by the processor. Never printed. */
  readonly bearerToken?: SecretValue;
}

/** One rule for the tools, prompts or resources of an MCP API whose names (URIs) its pattern matches. */
export interface McpRuleIR {
  /** As written: a name (URI), or a pattern with `*`. */
  readonly pattern: string;
  readonly access: AccessIR;
}

/** What the filters of an MCP endpoint route need: the API, its body limit and its rules. */
export interface McpRouteIR {
  readonly api: string;
  readonly maxRequestBytes: number;
  readonly tools: readonly McpRuleIR[];
  readonly prompts?: readonly McpRuleIR[];
  readonly resources?: readonly McpRuleIR[];
}

/**
 * An API version published as MCP tools (`apis[].versions.<v>.mcp`), on its endpoint route: what
 * Envoy's mcp_json_rest_bridge filter needs to answer initialize, send tools/list to the tool-list
 * route and turn each tools/call into the REST request of its tool.
 */
export interface McpRestToolsRouteIR {
  /** `api@version`: the MCP API name in audit records. */
  readonly name: string;
  /** The endpoint path (the bridge's endpoint key). */
  readonly path: string;
  /** The route that answers tools/list (a GET the bridge makes of it, decided by the endpoint's access). */
  readonly toolsListPath: string;
  /** The RFC 9728 metadata document's URL, which the processor names in every 401 at this endpoint. */
  readonly resourceMetadataUrl?: string;
  /** Sorted by name. */
  readonly tools: readonly McpRestToolIR[];
}

export interface McpRestToolIR {
  /** The tool name: the OpenAPI operationId, or the route name. */
  readonly name: string;
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** The REST path as clients send it, `{argument}` where a path argument goes. */
  readonly path: string;
  /** The argument sent as the JSON request body; absent: no body. Other arguments go to the query string. */
  readonly bodyArgument?: string;
  /** The id of the route that takes the call (for review: Envoy routes the rewritten request afresh). */
  readonly route: string;
  /**
   * That route's access, which decides each call in Envoy; the processor shows the tool in
   * tools/list only to callers it admits (rules on claims or client addresses admit nobody there:
   * the list filter sees the identity headers alone).
   */
  readonly access: AccessIR;
}
