/** Value types shared by every section of the gateway model: durations, dates, secret references, methods. */

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
