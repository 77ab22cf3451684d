/** The apis section: versions and their lifecycle, routes, access rules, rate limits and CORS. */

import type { Duration, HttpMethod, IsoDate } from "./common.ts";
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
