/** The identities section: how callers prove who they are (JWT, API keys, mTLS). */

import type { Duration, SecretRef } from "./common.ts";

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
