import { JwtAuthenticationSchema, PerRouteConfigSchema } from "../../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import type { GatewayIR, JwtProviderIR, RouteIR } from "../../model/ir.ts";
import { perRoute } from "../../model/per-route.ts";
import { duration, packed, sortedRecord, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { someRoute } from "../../model/route-counts.ts";

export const JWT_AUTHN_FILTER = "envoy.filters.http.jwt_authn";

/**
 * Metadata key of a verified token's JWS header. jwt_authn ignores `crit` (RFC 7515 §4.1.11: a
 * token naming a critical extension the recipient does not understand must be refused), so the
 * access rules read the header and admit no token that has one. `:` cannot occur in identity
 * names, so the key never meets a payload key.
 */
export const jwsHeaderKey = (identity: string): string => `jws-header:${identity}`;

/** JWT identities a route's rules name, sorted: the providers a token may come from. */
export function jwtIdentitiesOf(route: RouteIR): string[] {
  if (route.access.kind !== "identities") return [];
  return [...new Set(route.access.rules.flatMap((rule) => (rule.identityType === "jwt" && rule.identity ? [rule.identity] : [])))].sort();
}

interface Demand {
  readonly name: string;
  readonly identities: string[];
  readonly optional: boolean;
}

/**
 * What a route demands of a token. Only JWT rules: a valid token of one of those issuers (a
 * missing one is 401). JWT rules beside mTLS or address rules: a token is optional, but one that
 * is sent must be valid; the access rules (RBAC) then decide who gets in.
 */
const requirementOf = perRoute((route): Demand | undefined => {
  const identities = jwtIdentitiesOf(route);
  if (identities.length === 0 || route.access.kind !== "identities") return undefined;
  const optional = route.access.rules.some((rule) => rule.identityType !== "jwt");
  return { name: `${identities.join("|")}${optional ? "|optional" : ""}`, identities, optional };
});

const demandsToken = (route: RouteIR) => requirementOf(route) !== undefined;

function provider(jwt: JwtProviderIR) {
  const jwks = jwt.jwks;
  return {
    issuer: jwt.issuer,
    audiences: [...jwt.audiences],
    // Tokens without exp would be valid forever.
    requireExpiration: true,
    jwksSourceSpecifier:
      jwks.kind === "local"
        ? { case: "localJwks" as const, value: { specifier: { case: "inlineString" as const, value: jwks.json } } }
        : { case: "remoteJwks" as const, value: { httpUri: { uri: jwks.uri, httpUpstreamType: { case: "cluster" as const, value: jwks.cluster }, timeout: duration(5_000) }, cacheDuration: duration(jwks.cacheDurationMs), asyncFetch: {} } },
    fromHeaders: jwt.fromHeaders.map((header) => ({ name: header.name, valuePrefix: header.prefix })),
    fromParams: [...jwt.fromParams],
    fromCookies: [...jwt.fromCookies],
    // The verified claims go to metadata under the identity's name, where the access rules (RBAC) read them.
    payloadInMetadata: jwt.name,
    headerInMetadata: jwsHeaderKey(jwt.name),
    clockSkewSeconds: jwt.clockSkewSeconds,
    // The token is the client's credential for the gateway, not for the upstream.
    forward: false,
  };
}

const byProvider = (identity: string) => ({ requiresType: { case: "providerName" as const, value: identity } });

/** One requirement per distinct demand routes make: any one valid token of those issuers, maybe optional. */
function requirements(ir: GatewayIR) {
  const demands = new Map<string, Demand>();
  for (const route of ir.routes) {
    const demand = requirementOf(route);
    if (demand) demands.set(demand.name, demand);
  }
  return sortedRecord(
    [...demands].map(([name, { identities, optional }]) => {
      const alternatives = [...identities.map(byProvider), ...(optional ? [{ requiresType: { case: "allowMissing" as const, value: {} } }] : [])];
      return [name, alternatives.length === 1 ? alternatives[0]! : { requiresType: { case: "requiresAny" as const, value: { requirements: alternatives } } }] as const;
    }),
  );
}

/**
 * Verifies JWTs (signature, issuer, audience, expiry) on routes whose rules name a JWT identity;
 * a missing or bad token is answered 401 here. Other routes carry no requirement.
 */
export const jwtAuthnFilter: HttpFilterModule = {
  name: JWT_AUTHN_FILTER,
  chainEntry: (ir) => {
    if (ir.jwtProviders.length === 0 || !someRoute(ir.routes, demandsToken)) return undefined;
    return typedExtension(JWT_AUTHN_FILTER, JwtAuthenticationSchema, {
      providers: sortedRecord(ir.jwtProviders.map((jwt) => [jwt.name, provider(jwt)] as const)),
      requirementMap: requirements(ir),
      // Browsers send preflights without credentials; CORS answers them.
      bypassCorsPreflight: true,
    });
  },
  perRoute: (route) => {
    const demand = requirementOf(route);
    return demand ? packed(PerRouteConfigSchema, { requirementSpecifier: { case: "requirementName", value: demand.name } }) : undefined;
  },
  // The chain entry has no rules: a route without a requirement verifies nothing, as when disabled.
  hostNeutral: packed(PerRouteConfigSchema, { requirementSpecifier: { case: "disabled", value: true } }),
};
