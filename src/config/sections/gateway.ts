/** The gateway section: settings, identity header names, listeners and their TLS and limits. */

import type { RateLimitServiceSettings } from "./apis.ts";
import type { Duration, SecretRef } from "./common.ts";

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
  /** Where Envoy reaches the rate-limit service that counts limits with `mode: "global"`. */
  rateLimitService?: RateLimitServiceSettings;
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
