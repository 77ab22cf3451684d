/** The apis section: versions and their lifecycle, routes, access rules, rate limits and CORS. */

import type { Duration, HttpMethod, IsoDate } from "./common.ts";
import type { ApiVersionMcp } from "./api-mcp.ts";
import type { Justification } from "./providers.ts";

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
  /**
   * Routes outside the API's versions, for health checks and the like: served at
   * `{basePath}{match}` (`/orders/health`), with no version segment and no version header, whatever
   * the versioning. Their access rules work like any route's: deny unless they allow or are public.
   */
  unversioned?: UnversionedRoutes;
  /**
   * Whether a trailing slash matters to a route of an exact `path`: with `optional`, `/v1/orders/`
   * is the same route as `/v1/orders` (same access, upstream and limits); with `strict`, only the
   * path as written matches and the other answers 404. Prefix routes take both either way; template
   * routes match as written.
   * @default "optional"
   */
  trailingSlash?: "optional" | "strict";
  /**
   * A rate limit over every route of the API: all versions count together (`scope: "api"`, so
   * moving callers from v1 to v2 does not double their allowance) unless `scope: "version"`.
   * It applies on top of a route's own `rateLimit`; a request must fit both.
   */
  rateLimit?: ApiRateLimit;
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
  /**
   * When the version was deprecated, or will be: a deprecated version's responses carry this day
   * in a `Deprecation` header (RFC 9745, as Unix seconds), and a future day announces the
   * deprecation ahead. Without it a deprecated version sends no `Deprecation` header, which the
   * governance pack reports (PCL-GOV-007); the sunset date is a different promise (`Sunset`).
   */
  deprecatedOn?: IsoDate;
  /** When the version stops being served (sent in the `Sunset` header). */
  sunset?: IsoDate;
  /** Version that replaces this one (`Link: rel="successor-version"`, and named in 410 responses). */
  successor?: string;
  /** Access rules for every route of this version that does not set its own. */
  access?: Access;
  /** The version's routes. */
  routes: Route[];
  /** Publishes the version's routes as MCP tools at their own path (each call decided by its route's rules). */
  mcp?: ApiVersionMcp;
}

/** The routes of an API that belong to no version (see `Api.unversioned`). */
export interface UnversionedRoutes {
  /** Access rules for every unversioned route that does not set its own. */
  access?: Access;
  /**
   * The routes, each matched under the API's base path.
   * @minItems 1
   */
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
   * Requests allowed per period, for each key (see `by`).
   * @asType integer
   * @minimum 1
   * @maximum 4294967295
   */
  requests: number;
  /** The period. */
  per: "second" | "minute" | "hour";
  /**
   * Whose requests are counted together. Keys are what the gateway itself verified, never a
   * header a client can choose: `global` counts every request together; `client` counts each
   * client address (the connection's peer, or the address `gateway.trustedProxyHops` takes from
   * X-Forwarded-For when proxies in front are trusted); `identity` each verified caller (a JWT
   * identity's subject, an API-key consumer, an mTLS client's SPIFFE ID); `consumer` each API-key
   * consumer; `team` each team of API-key consumers (`identities.*.consumers.*.team`). Keys on an
   * identity need a route whose every allow rule names an identity of that kind.
   * @default "global"
   */
  by?: "global" | "client" | "identity" | "consumer" | "team";
  /**
   * Where requests are counted. `local`: a token bucket in each Envoy — a fleet of N Envoys
   * admits up to N times `requests`; every key, on a route's own limit. `global`: one count for the whole fleet, kept by Portcullis's rate-limit
   * service (`portcullis serve`/`up` run it; `portcullis ratelimit-service` alone for fleets, in
   * memory or in Redis), which Envoy asks on every request; every key and scope. A fixed window:
   * the count restarts at each period boundary.
   * @default "local"
   */
  mode?: "local" | "global";
  /**
   * What Envoy does when the rate-limit service cannot be reached or fails (`mode: "global"`
   * only): `deny` answers 503 (fail closed); `allow` lets the request through uncounted (fail
   * open, reported by policy PCL-ZT-020).
   * @default "deny"
   */
  failureMode?: "deny" | "allow";
}

/** A rate limit over a whole API (see `Api.rateLimit`). */
export interface ApiRateLimit extends RateLimit {
  /**
   * Which routes share the count: `api` counts every route of every version together; `version`
   * keeps one count per version. API-wide limits need `mode: "global"` (not supported in local
   * mode yet).
   * @default "api"
   */
  scope?: "api" | "version";
}

/** Where Envoy reaches Portcullis's rate-limit service, for limits with `mode: "global"`. */
export interface RateLimitServiceSettings {
  /**
   * The service's gRPC `host:port` (plaintext HTTP/2). `serve` and `up` run it here; for a fleet,
   * run `portcullis ratelimit-service --redis URL` on every address Envoys reach (several replicas
   * on one Redis share the counts) and name it, or the load balancer in front, here.
   * @default "127.0.0.1:18002"
   */
  address?: string;
  /**
   * How long Envoy waits for the service's answer before `failureMode` applies.
   * @default "1s"
   */
  timeout?: Duration;
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
