/**
 * What a connection manager's HTTP filter chain verifies, read from the chain itself: where the
 * access rules (RBAC) and the credential filters sit, the JWT providers and requirements
 * jwt_authn knows, and whether its listener checks client certificates.
 */
import { toBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { FilterConfigSchema, type Route, type VirtualHost } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import type { RouteConfiguration } from "../../generated/envoy/config/route/v3/route_pb.js";
import { ExtensionWithMatcherSchema } from "../../generated/envoy/extensions/common/matching/v3/extension_matcher_pb.js";
import { type ApiKeyAuth, ApiKeyAuthPerRouteSchema, ApiKeyAuthSchema } from "../../generated/envoy/extensions/filters/http/api_key_auth/v3/api_key_auth_pb.js";
import { type JwtAuthentication, JwtAuthenticationSchema, type JwtRequirement } from "../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import { type CommonTlsContext, DownstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { JWT_AUTHN_FILTER } from "./principals.ts";
import { type ConnectionManager, typedConfigOf, unpackAs } from "./resources.ts";
import { peerValidation } from "./tls-validation.ts";

export const RBAC_FILTER = "envoy.filters.http.rbac";
const ROUTER_FILTER = "envoy.filters.http.router";
/** The api_key_auth entries of the chain: the mandatory one and the one skipped without a key (src/xds/filters/api-key-auth.ts). */
const API_KEY_FILTERS = ["envoy.filters.http.api_key_auth", "envoy.filters.http.api_key_auth.optional"];

export interface ChainFacts {
  /** Position of the enforcing RBAC filter in the chain; undefined when absent or after the router. */
  readonly rbacAt?: number;
  /** Position of jwt_authn, and its config. */
  readonly jwt?: { readonly at: number; readonly config: JwtAuthentication };
  /** api_key_auth entries by filter name: position and the consumer header the chain entry forwards. */
  readonly apiKeys: ReadonlyMap<string, { readonly at: number; readonly header?: string }>;
  /**
   * Client certificates on the listener: `verified` against a CA; `not-requested` (no TLS, or TLS
   * without a validation context: Envoy asks for none, so a certificate principal never matches);
   * `unverified` (requested but accepted untrusted, so a client chooses its own SAN).
   */
  readonly clientCertificates: "verified" | "not-requested" | "unverified";
}

function apiKeyAuthOf(any: Any | undefined): ApiKeyAuth | undefined {
  return unpackAs(any, ApiKeyAuthSchema) ?? unpackAs(unpackAs(any, ExtensionWithMatcherSchema)?.extensionConfig?.typedConfig, ApiKeyAuthSchema);
}

/** The facts as one string: equal strings for equal facts (what a verdict that read them may be reused under). */
export function chainKey(chain: ChainFacts): string {
  const jwt = chain.jwt ? [chain.jwt.at, Buffer.from(toBinary(JwtAuthenticationSchema, chain.jwt.config)).toString("base64")] : null;
  return JSON.stringify([chain.rbacAt ?? null, jwt, [...chain.apiKeys], chain.clientCertificates]);
}

export function chainFacts(manager: ConnectionManager): ChainFacts {
  const filters = manager.hcm.httpFilters;
  const router = filters.findIndex((filter) => filter.name === ROUTER_FILTER);
  const rbac = filters.findIndex((filter) => filter.name === RBAC_FILTER && !filter.disabled);
  const jwtAt = filters.findIndex((filter) => filter.name === JWT_AUTHN_FILTER);
  const jwtConfig = jwtAt >= 0 ? unpackAs(typedConfigOf(filters[jwtAt]!), JwtAuthenticationSchema) : undefined;
  const apiKeys = new Map(
    filters.flatMap((filter, at) => {
      if (!API_KEY_FILTERS.includes(filter.name)) return [];
      const header = apiKeyAuthOf(typedConfigOf(filter))?.forwarding?.header;
      return [[filter.name, { at, ...(header ? { header: header.toLowerCase() } : {}) }] as const];
    }),
  );
  const tls = unpackAs(manager.transportSocket ? typedConfigOf(manager.transportSocket) : undefined, DownstreamTlsContextSchema);
  return {
    ...(rbac >= 0 && (router < 0 || rbac < router) ? { rbacAt: rbac } : {}),
    ...(jwtConfig ? { jwt: { at: jwtAt, config: jwtConfig } } : {}),
    apiKeys,
    clientCertificates: clientCertificates(tls?.commonTlsContext?.validationContextType),
  };
}

function clientCertificates(validation: CommonTlsContext["validationContextType"] | undefined): ChainFacts["clientCertificates"] {
  const verdict = peerValidation(validation);
  return verdict === "none" ? "not-requested" : verdict;
}

/** The per-filter config that applies to a route: the route's own, else its virtual host's, else its route configuration's. */
export function effectiveConfig(name: string, route: Route, host: VirtualHost, config: RouteConfiguration): Any | undefined {
  return route.typedPerFilterConfig[name] ?? host.typedPerFilterConfig[name] ?? config.typedPerFilterConfig[name];
}

/** The consumer header an enabled api_key_auth per-route config forwards, or undefined when the route does not enable it. */
export function apiKeyRouteHeader(any: Any | undefined): { readonly header?: string } | undefined {
  const wrapper = unpackAs(any, FilterConfigSchema);
  if (wrapper?.disabled) return undefined;
  const perRoute = unpackAs(wrapper ? wrapper.config : any, ApiKeyAuthPerRouteSchema);
  if (!perRoute) return undefined;
  const header = perRoute.forwarding?.header;
  return header ? { header: header.toLowerCase() } : {};
}

/** Whether a requirement (or one of its alternatives) verifies a token of this provider. */
export function verifiesProvider(requirement: JwtRequirement | undefined, provider: string): boolean {
  const type = requirement?.requiresType;
  switch (type?.case) {
    case "providerName":
      return type.value === provider;
    case "providerAndAudiences":
      return type.value.providerName === provider;
    case "requiresAny":
    case "requiresAll":
      return type.value.requirements.some((inner) => verifiesProvider(inner, provider));
    default:
      return false;
  }
}
