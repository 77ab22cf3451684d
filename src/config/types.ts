/**
 * The Portcullis gateway model, exactly as users write it in gateway.config.ts or gateway.yaml.
 *
 * This file is the single source of truth: schema/gateway.schema.json is generated from it
 * (`npm run gen:schema`), so every doc comment here is what editors show for both formats.
 * Defaults are written as `@default` tags; `resolve()` (src/model) applies them.
 */

/**
 * A duration such as `"250ms"`, `"5s"`, `"2m"` or `"1h"`. It is never zero (a timeout cannot be
 * switched off) and at most about a thousand years: 12 digits of ms, 10 of s, 9 of m or 7 of h.
 * @pattern ^(?=[0-9]*[1-9])([0-9]{1,12}ms|[0-9]{1,10}s|[0-9]{1,9}m|[0-9]{1,7}h)$
 * @example "5s"
 */
export type Duration = string;

/**
 * A calendar date in ISO form, `YYYY-MM-DD`.
 * @pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$
 * @example "2026-06-30"
 */
export type IsoDate = string;

/**
 * Where a secret comes from. Secrets are never written inline in committed config: name an
 * environment variable or a file, and the gateway reads it at deploy time.
 */
export type SecretRef = EnvSecretRef | FileSecretRef;

export interface EnvSecretRef {
  /**
   * Name of the environment variable that holds the secret, e.g. `ORDERS_API_KEY`.
   * @pattern ^[A-Za-z_][A-Za-z0-9_]*$
   * @example "ORDERS_API_KEY"
   */
  env: string;
}

export interface FileSecretRef {
  /**
   * Path of the file that holds the secret, relative to the config file.
   * @minLength 1
   */
  file: string;
}

/** HTTP request methods a route can match. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** The whole gateway: what `defineGateway()` takes and gateway.yaml holds. */
export interface GatewayConfig {
  /** JSON Schema reference for editors; ignored by Portcullis. */
  $schema?: string;
  /** The gateway itself: its name, listeners and the proxies in front of it. */
  gateway: GatewaySettings;
  /** Who can call: JWT issuers, API-key consumers and mTLS clients, by name (lowercase letters, digits, dashes). */
  identities?: Record<string, Identity>;
  /** Everything a route can send traffic to — backend services, LLM providers, MCP servers — by name (lowercase letters, digits, dashes; it names the Envoy cluster). */
  providers?: Record<string, Provider>;
  /** The APIs this gateway publishes, each with its versions and routes. */
  apis?: Api[];
  /** The AI gateway: one OpenAI-style API in front of many model providers. */
  ai?: AiGateway;
  /** Prompts published as REST endpoints. */
  prompts?: PromptApi[];
  /** Model Context Protocol endpoints with tool-level authorization. */
  mcp?: McpApi[];
  /** Zero-trust requirements. Strict unless you opt out explicitly. */
  zeroTrust?: ZeroTrust;
  /** What is recorded about each request. */
  audit?: AuditSettings;
  /** Which policy rules run and which findings are waived. */
  policy?: PolicySettings;
  /** Local development helpers, used by `portcullis up` only; compile and serve ignore them. */
  dev?: DevSettings;
}

export interface DevSettings {
  /**
   * Service providers that `portcullis up` backs with a built-in demo HTTP server listening on
   * their first endpoint, so the example gateway answers without any other process.
   */
  demoBackends?: string[];
}

// ───────────────────────────── gateway ─────────────────────────────

export interface GatewaySettings {
  /**
   * Name of the gateway. Envoy nodes whose `node.cluster` equals this name receive this config.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /**
   * Where the gateway accepts traffic.
   * @minItems 1
   */
  listeners: Listener[];
  /**
   * How many proxies (load balancers, CDNs) sit in front of the gateway and append to
   * `X-Forwarded-For`. The client address is taken that many hops from the right.
   * With 0 the gateway also removes the client's `Forwarded`, `X-Forwarded-Host`,
   * `X-Forwarded-Port`, `X-Real-IP` and `True-Client-IP`; with a proxy in front they are kept as
   * that proxy's, so it must set or remove them. `X-Original-URL`, `X-Rewrite-URL` and the
   * method-override headers are always removed.
   * @default 0
   * @asType integer
   * @minimum 0
   * @maximum 10
   */
  trustedProxyHops?: number;
  /**
   * The request headers that tell upstreams who the verified caller is. The gateway sets them
   * itself after authentication and removes any client-sent copy before a filter reads it.
   * Rename one where a backend expects another name, e.g. `{ subject: "x-user-id" }`.
   */
  identityHeaders?: IdentityHeaderNames;
  /** Limits and timeouts that protect the gateway from slow or oversized clients. */
  limits?: ConnectionLimits;
}

/** Header names for the verified caller; each defaults to `x-portcullis-<kind>`. */
export interface IdentityHeaderNames {
  /**
   * The identity whose rule admitted the request (`client_address` for an address rule).
   * @default "x-portcullis-identity"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  identity?: string;
  /**
   * The JWT subject (the claim `claims.subject` names).
   * @default "x-portcullis-subject"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  subject?: string;
  /**
   * The JWT scopes, as the token carries them (OAuth: space-separated).
   * @default "x-portcullis-scopes"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  scopes?: string;
  /**
   * The JWT roles: the claim as the token carries it, a list as a JSON array (`["a","b"]`).
   * @default "x-portcullis-roles"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  roles?: string;
  /**
   * The JWT groups: the claim as the token carries it, a list as a JSON array (`["a","b"]`).
   * @default "x-portcullis-groups"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  groups?: string;
  /**
   * The API-key consumer.
   * @default "x-portcullis-consumer"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  consumer?: string;
  /**
   * The SPIFFE ID (URI SAN) of the verified client certificate.
   * @default "x-portcullis-spiffe-id"
   * @pattern ^[a-z0-9!#$%&'*+.^_`|~-]+$
   */
  spiffeId?: string;
}

export interface Listener {
  /**
   * Name of the listener, unique in the gateway.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /**
   * IP address to bind: `0.0.0.0` (every IPv4 interface), `::` (every interface) or one
   * interface's address such as `127.0.0.1`. Envoy binds addresses only, never host names.
   * @default "0.0.0.0"
   */
  address?: string;
  /**
   * TCP port to listen on.
   * @asType integer
   * @minimum 1
   * @maximum 65535
   */
  port: number;
  /**
   * Host names served on this listener. Requests for any other host get 404.
   * `*.example.com` matches one level of subdomain.
   * @minItems 1
   */
  hostnames: string[];
  /** Terminate TLS on this listener. Without it the listener speaks plain HTTP. */
  tls?: ListenerTls;
}

export interface ListenerTls {
  /** PEM certificate chain presented to clients. */
  certificate: SecretRef;
  /** PEM private key of the certificate. */
  privateKey: SecretRef;
  /**
   * Lowest TLS version accepted.
   * @default "1.2"
   */
  minVersion?: "1.2" | "1.3";
  /** Require clients to present a certificate (mTLS) signed by this CA. */
  clientCertificate?: ClientCertificateRequirement;
}

export interface ClientCertificateRequirement {
  /** PEM bundle of the CAs that client certificates must chain to. */
  caCertificate: SecretRef;
  /**
   * Reject connections without a valid client certificate. When false, a certificate is
   * verified if presented and routes decide through their access rules.
   * @default true
   */
  required?: boolean;
}

export interface ConnectionLimits {
  /**
   * Time a client has to send all request headers.
   * @default "10s"
   */
  requestHeadersTimeout?: Duration;
  /**
   * Time a stream may be idle before it is reset.
   * @default "300s"
   */
  streamIdleTimeout?: Duration;
  /**
   * Largest request header block accepted, in KiB.
   * @default 60
   * @asType integer
   * @minimum 1
   * @maximum 8192
   */
  maxRequestHeadersKb?: number;
  /**
   * Per-connection buffer limit, in bytes (Envoy holds it in 32 bits).
   * @default 32768
   * @asType integer
   * @minimum 1024
   * @maximum 4294967295
   */
  connectionBufferBytes?: number;
  /**
   * Most concurrent downstream connections per listener.
   * @default 10000
   * @asType integer
   * @minimum 1
   * @maximum 9007199254740991
   */
  maxConnections?: number;
}

// ───────────────────────────── identities ─────────────────────────────

/** One way callers prove who they are. */
export type Identity = JwtIdentity | ApiKeyIdentity | MtlsIdentity;

/** Callers present a JWT issued by a trusted issuer. */
export interface JwtIdentity {
  type: "jwt";
  /**
   * Expected `iss` claim, e.g. `https://auth.example.com/`.
   * @minLength 1
   */
  issuer: string;
  /** Accepted `aud` values; a token must carry at least one. Omit to accept any audience. */
  audiences?: string[];
  /** Where the issuer's signing keys come from. */
  jwks: JwksSource;
  /**
   * Clock skew tolerated on `exp` and `nbf`, in seconds.
   * @default 60
   * @asType integer
   * @minimum 0
   * @maximum 600
   */
  clockSkewSeconds?: number;
  /**
   * Where the token is read from, in order.
   * @default [{"header":"Authorization","prefix":"Bearer "}]
   */
  from?: TokenSource[];
  /** How claims map to subject, roles, scopes and groups. */
  claims?: ClaimMapping;
}

/** Signing keys fetched from a URL (cached) or read from a local JWKS file. */
export type JwksSource = RemoteJwks | LocalJwks;

export interface RemoteJwks {
  /** HTTPS URL of the JWKS document. */
  url: string;
  /**
   * How long fetched keys are cached.
   * @default "10m"
   */
  cacheDuration?: Duration;
}

export interface LocalJwks {
  /**
   * Path of a JWKS JSON file, relative to the config file.
   * @minLength 1
   */
  file: string;
}

/** A place in the request where a credential is carried. */
export type TokenSource = HeaderTokenSource | QueryTokenSource | CookieTokenSource;

export interface HeaderTokenSource {
  /** Header name, e.g. `Authorization`. */
  header: string;
  /** Prefix stripped before the token, e.g. `Bearer `. */
  prefix?: string;
}

export interface QueryTokenSource {
  /**
   * Query parameter name.
   * @minLength 1
   */
  query: string;
}

export interface CookieTokenSource {
  /**
   * Cookie name.
   * @minLength 1
   */
  cookie: string;
}

/**
 * Which claims hold what. A dotted name is a path into nested objects (`realm_access.roles`,
 * `resource_access.shop.roles`); a namespaced claim containing `://` is one key.
 */
export interface ClaimMapping {
  /**
   * Claim that identifies the caller.
   * @default "sub"
   * @minLength 1
   */
  subject?: string;
  /**
   * Claim holding the caller's roles (a list or a space-separated string).
   * @minLength 1
   */
  roles?: string;
  /**
   * Claim holding OAuth scopes (a list or a space-separated string).
   * @default "scope"
   * @minLength 1
   */
  scopes?: string;
  /**
   * Claim holding the caller's groups.
   * @minLength 1
   */
  groups?: string;
}

/** Callers present an API key; each key belongs to a named consumer. */
export interface ApiKeyIdentity {
  type: "apiKey";
  /**
   * Where the key is read from.
   * @default {"header":"x-api-key"}
   */
  from?: HeaderTokenSource | QueryTokenSource;
  /**
   * The consumers who hold keys.
   * @minItems 1
   */
  consumers: ApiKeyConsumer[];
}

export interface ApiKeyConsumer {
  /**
   * Consumer name, used in access rules, logs and budgets.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Team that owns this consumer. */
  team?: string;
  /** The consumer's keys, one per line: from a file or an environment variable, never inline. */
  keys: SecretRef;
}

/** Callers present a client certificate on an mTLS listener. */
export interface MtlsIdentity {
  type: "mtls";
  /**
   * Known clients, by SPIFFE ID or subject alternative name.
   * @minItems 1
   */
  clients: MtlsClient[];
}

export interface MtlsClient {
  /**
   * Client name, used in access rules and logs.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /**
   * Expected SPIFFE ID, e.g. `spiffe://example.org/ns/shop/sa/checkout`.
   * @minLength 1
   */
  spiffeId?: string;
  /**
   * Expected DNS subject alternative name.
   * @minLength 1
   */
  san?: string;
}

// ───────────────────────────── providers ─────────────────────────────

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
   * (`https://api.anthropic.com`). Required for `openai-compatible` and `azure-openai`; others
   * default to the vendor's. An `http:` URL needs `plaintext`.
   */
  baseUrl?: string;
  /** An explicit, reported opt-out of TLS: required for an `http:` baseUrl. */
  plaintext?: Justification;
  /** API key or token, injected by the gateway. Not used by `bedrock`. */
  apiKey?: SecretRef;
  /** AWS region, for `bedrock`. */
  region?: string;
  /** AWS credentials, for `bedrock`. */
  awsCredentials?: { accessKeyId: SecretRef; secretAccessKey: SecretRef };
  /** API version query parameter, for `azure-openai`, e.g. `2024-10-21`. */
  apiVersion?: string;
  /** Models this provider may be asked for. Omit to allow any model the provider serves. */
  models?: string[];
  /**
   * Timeouts for calls to the provider. `request` covers a whole answer, streamed ones included,
   * so for model providers it defaults to 5m instead of 15s.
   */
  timeouts?: UpstreamTimeouts;
}

/** A Model Context Protocol server reached over Streamable HTTP. */
export interface McpServerProvider {
  type: "mcp";
  /** URL of the server's Streamable HTTP endpoint, e.g. `https://tools.internal/mcp`. */
  url: string;
  /** TLS to the server when the URL is https. */
  tls?: UpstreamTls;
  /** Credential the gateway injects as `Authorization: Bearer ...`. */
  bearerToken?: SecretRef;
  /** Timeouts for calls to the server. */
  timeouts?: UpstreamTimeouts;
}

// ───────────────────────────── APIs ─────────────────────────────

export interface Api {
  /**
   * API name, unique in the gateway.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Team that owns the API. */
  owner: string;
  /** What the API is for, shown in the catalog. */
  description?: string;
  /**
   * Path under which the API is served, after the version prefix: `/v1/orders/...` for `/orders`.
   * @pattern ^/[A-Za-z0-9._~/-]*$
   */
  basePath: string;
  /** Host names this API is served on. Defaults to every hostname of every listener. */
  hostnames?: string[];
  /** Path of the API's OpenAPI document, relative to the config file. */
  openapi?: string;
  /**
   * How clients choose a version: a path prefix (`/v1/orders`) or a request header.
   * @default {"by":"path"}
   */
  versioning?: PathVersioning | HeaderVersioning;
  /**
   * The API's versions, keyed by version name (`v1`, `v2`, ...). A version name is one path
   * segment: it is the path prefix (`/v1/...`) or the version header's value.
   * @propertyNames {"pattern": "^[A-Za-z0-9][A-Za-z0-9._~-]{0,62}$"}
   */
  versions: Record<string, ApiVersion>;
}

export interface PathVersioning {
  by: "path";
}

export interface HeaderVersioning {
  by: "header";
  /**
   * Header carrying the version name.
   * @default "api-version"
   */
  header?: string;
  /** Version served when the header is absent. Omit to reject requests without it. */
  default?: string;
}

/**
 * Lifecycle of an API version: `draft` is not routed, `published` is routed, `deprecated` is
 * routed with Deprecation/Sunset headers, `retired` answers 410 Gone.
 */
export type LifecycleState = "draft" | "published" | "deprecated" | "retired";

export interface ApiVersion {
  /** Where the version is in its lifecycle. */
  state: LifecycleState;
  /** When the version was deprecated (sent in the `Deprecation` header). Defaults to the sunset date. */
  deprecatedOn?: IsoDate;
  /** When the version stops being served (sent in the `Sunset` header). */
  sunset?: IsoDate;
  /** Version that replaces this one (`Link: rel="successor-version"`, and named in 410 responses). */
  successor?: string;
  /** Access rules for every route of this version that does not set its own. */
  access?: Access;
  /** The version's routes. */
  routes: Route[];
}

export interface Route {
  /**
   * Route name, unique in its version; used in logs and the catalog. Derived from the match when omitted.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name?: string;
  /** Which requests this route takes. */
  match: RouteMatch;
  /** Name of the provider that serves the route. */
  provider: string;
  /** Changes made to the request before it goes upstream. */
  rewrite?: Rewrite;
  /** Overrides the provider's request timeout for this route. */
  timeout?: Duration;
  /** Who may call this route. Overrides the version's access rules. */
  access?: Access;
  /** Request rate limit for this route. */
  rateLimit?: RateLimit;
  /** Cross-origin resource sharing for browsers. */
  cors?: Cors;
  /** Human description, shown in the catalog. */
  description?: string;
}

/**
 * Exactly one of `path`, `prefix` or `template`, relative to the API's version prefix and base path.
 */
export interface RouteMatch {
  /** Exact path, e.g. `/orders`. */
  path?: string;
  /** Path prefix, e.g. `/orders/`. */
  prefix?: string;
  /** Path template with named segments, e.g. `/orders/{id}` or `/files/{path=**}`. */
  template?: string;
  /**
   * Methods matched; a route that takes GET also answers HEAD, and one with `cors` also takes
   * OPTIONS (preflights). Omit for GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS. A method the
   * path does not take is answered 405 with `Allow`.
   */
  methods?: HttpMethod[];
  /** Headers that must be present, and equal `value` when given. */
  headers?: HeaderMatch[];
}

export interface HeaderMatch {
  /** Header name. */
  name: string;
  /** Exact value required. Omit to require only presence. */
  value?: string;
}

export interface Rewrite {
  /** Replaces the matched prefix (for `prefix` matches) or the whole path (for `path`). */
  prefix?: string;
  /** Path template using the match's named segments, e.g. `/api/orders/{id}`. */
  template?: string;
  /** Host header sent upstream. */
  host?: string;
}

/** Who may call: a list of allow rules (deny by default), or public with a reason. */
export type Access = AllowAccess | PublicAccess;

export interface AllowAccess {
  /**
   * A request is allowed when any rule matches it.
   * @minItems 1
   */
  allow: AllowRule[];
}

export interface PublicAccess {
  /** The route needs no identity. The reason is recorded and reported by the policy engine. */
  public: Justification;
}

/**
 * One allow rule: the identity to present, and conditions on it (all must hold). A rule with
 * `clientCidrs` and no identity allows by client address alone.
 */
export interface AllowRule {
  /** Name of an identity from `identities`. Omit only for an address rule (`clientCidrs` alone). */
  identity?: string;
  /** OAuth scopes the caller must all hold (JWT). */
  scopes?: string[];
  /** Roles of which the caller must hold at least one (JWT). */
  roles?: string[];
  /** Groups of which the caller must be in at least one (JWT). */
  groups?: string[];
  /**
   * Claims that must equal the given value, or one of the given values (JWT), by claim name.
   * @propertyNames {"minLength": 1}
   */
  claims?: Record<string, string | string[]>;
  /** Consumers allowed (API key). Omit to allow every consumer of the identity. */
  consumers?: string[];
  /** SPIFFE IDs allowed (mTLS). Omit to allow every client of the identity. */
  spiffeIds?: string[];
  /**
   * Client address ranges allowed, e.g. `10.0.0.0/8`: the TCP peer, or the address
   * `gateway.trustedProxyHops` takes from X-Forwarded-For — never a raw client-sent header.
   */
  clientCidrs?: string[];
}

export interface RateLimit {
  /**
   * Requests allowed per period.
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  requests: number;
  /** The period. */
  per: "second" | "minute" | "hour";
  /**
   * Whose requests are counted together: every request, each client address, or each identity.
   * @default "global"
   */
  by?: "global" | "client" | "identity";
}

export interface Cors {
  /**
   * Allowed origins, exact (`https://app.example.com`) or with one leading wildcard (`https://*.example.com`).
   * @minItems 1
   */
  origins: string[];
  /** Allowed methods; defaults to the route's methods. */
  methods?: HttpMethod[];
  /** Request headers the browser may send. */
  headers?: string[];
  /** Response headers the browser may read. */
  exposeHeaders?: string[];
  /**
   * Allow cookies and credentials.
   * @default false
   */
  credentials?: boolean;
  /**
   * How long browsers may cache the preflight answer.
   * @default "10m"
   */
  maxAge?: Duration;
}

// ───────────────────────────── AI, prompts, MCP ─────────────────────────────

export interface AiGateway {
  /**
   * Path of the OpenAI-style API (`{basePath}/chat/completions`, `{basePath}/models`, ...).
   * @default "/ai/v1"
   * @pattern ^/[A-Za-z0-9._~/-]*$
   */
  basePath?: string;
  /** Who may call the AI gateway. */
  access: Access;
  /** Model names clients ask for, mapped to providers. */
  models: Record<string, ModelAlias>;
  /** Spending and token budgets. */
  budgets?: Budget[];
  /** Where Envoy reaches the AI processor (`portcullis serve`, `up` or `processor` runs it). */
  processor?: AiProcessorSettings;
}

export interface AiProcessorSettings {
  /**
   * Where the AI processor listens and Envoy connects: a loopback `host:port`, or `unix:` and the
   * absolute path of a socket. The processor runs beside each Envoy, so prompts, answers and the
   * provider keys it injects never cross the network. Any local user can connect to a loopback
   * port; only the processor's user (and an Envoy running as that user) can open the socket, so
   * prefer a socket on hosts that other users share.
   * @default "127.0.0.1:18001"
   * @example "unix:/run/portcullis/ai.sock"
   */
  address?: string;
}

export interface ModelAlias {
  /**
   * Where requests for this model go; traffic is split by weight.
   * @minItems 1
   */
  targets: ModelTarget[];
  /** Tried in order when every target fails or is over budget. */
  fallbacks?: ModelTarget[];
  /**
   * Largest `max_tokens` a client may ask for.
   * @asType integer
   * @minimum 1
   */
  maxTokens?: number;
}

export interface ModelTarget {
  /** Name of an LLM provider from `providers`. */
  provider: string;
  /** The provider's model name, e.g. `gpt-4o-mini` or `claude-sonnet-4-5`. */
  model: string;
  /**
   * Share of traffic, relative to the other targets.
   * @default 1
   * @minimum 0
   */
  weight?: number;
}

export interface Budget {
  /**
   * Budget name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Who the budget applies to: each identity subject, each consumer, each team, or everyone together. */
  scope: "identity" | "consumer" | "team" | "global";
  /**
   * Spending limit in US dollars per period.
   * @minimum 0
   */
  usd?: number;
  /**
   * Token limit (prompt + completion) per period.
   * @asType integer
   * @minimum 0
   */
  tokens?: number;
  /** The period after which the budget resets. */
  period: "day" | "month";
}

/** A prompt template published as a REST endpoint. */
export interface PromptApi {
  /**
   * Prompt API name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Path of the endpoint (called with POST), e.g. `/prompts/summarize`. */
  path: string;
  /** Model alias from `ai.models`. */
  model: string;
  /** Template with `{{field}}` placeholders filled from the request body. */
  template: string;
  /** JSON Schema the request body must satisfy. */
  input: Record<string, unknown>;
  /** Who may call the endpoint. */
  access: Access;
}

/** An MCP endpoint the gateway exposes, with per-tool authorization. */
export interface McpApi {
  /**
   * MCP API name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Path clients connect to, e.g. `/mcp/tools`. */
  path: string;
  /** Name of an MCP server from `providers`. */
  server: string;
  /** Who may connect at all. */
  access: Access;
  /** Which tools each caller may use; a tool no rule names is denied. */
  tools: McpToolRule[];
}

export interface McpToolRule {
  /** Tool name, or a pattern with `*`, e.g. `search_*`. */
  tool: string;
  /** Who may call the tool. */
  access: Access;
}

// ───────────────────────────── zero trust, audit, policy ─────────────────────────────

export interface ZeroTrust {
  /**
   * `strict` denies anything not explicitly allowed and turns weak settings into errors;
   * `permissive` reports them as warnings.
   * @default "strict"
   */
  mode?: "strict" | "permissive";
  /**
   * Require TLS to every upstream unless it carries a `plaintext` justification.
   * @default true
   */
  requireUpstreamTls?: boolean;
}

export interface AuditSettings {
  /**
   * Where access logs go: `stdout`, or a file path.
   * @default "stdout"
   * @minLength 1
   */
  accessLog?: string;
  /** Extra request headers never written to logs (Authorization, API keys and cookies never are). */
  redactHeaders?: string[];
}

export interface PolicySettings {
  /**
   * Rule packs of your own, on top of the built-in `zero-trust` and `governance` packs: YAML files
   * (relative to the config file) in the format of the packs in Portcullis's policies/ folder.
   * @example ["./policies/ours.yaml"]
   */
  packs?: string[];
  /**
   * Severity per rule id (`PCL-ZT-001`, a rule of your packs), or `off`. Compile findings
   * (`PCL1001`–`PCL4999`) are not policy rules and cannot be changed here.
   */
  rules?: Record<string, "error" | "warning" | "off">;
  /** Findings accepted on purpose, each with an owner and an expiry. */
  waivers?: Waiver[];
}

export interface Waiver {
  /** Rule id, e.g. `PCL-ZT-001`. */
  rule: string;
  /**
   * What the waiver covers: `apis.<api>`, `apis.<api>.versions.<version>`, `...routes.<route>`,
   * `providers.<name>`, `identities.<name>`, `gateway.listeners.<name>`, `ai` or `ai.routes.<route>`.
   * It waives the rule's findings on that target and everything under it.
   */
  target: string;
  /**
   * Why the finding is accepted.
   * @minLength 10
   */
  reason: string;
  /** Who answers for it. */
  owner: string;
  /** Date after which the waiver no longer applies. */
  expires: IsoDate;
}
