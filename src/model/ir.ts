/**
 * The IR: one normalized, fully-resolved model of a gateway. Defaults are applied, references are
 * followed, access rules and lifecycle are folded into each route and full paths are computed, so
 * the translator (src/xds) never needs to know where a setting came from. Plain readonly data;
 * the only non-plain values are secrets, which print as [redacted].
 */
import type { HttpMethod, LifecycleState } from "../config/types.ts";
import type { AiIR, AiRouteIR } from "./ir/ai.ts";
import type { McpIR, McpRestToolsRouteIR, McpRouteIR } from "./ir/mcp.ts";
import type { SecretValue } from "./secret-value.ts";

export type { HttpMethod, LifecycleState };
export type * from "./ir/ai.ts";
export type * from "./ir/mcp.ts";

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
  /** The tool-list route of such an endpoint: the MCP processor cuts the answer down to the caller's tools. */
  readonly mcpToolList?: true;
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
