import { JwtAuthenticationSchema, PerRouteConfigSchema } from "../../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import type { GatewayIR, JwtProviderIR, RouteIR } from "../../model/ir.ts";
import { duration, packed, sortedRecord, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";

export const JWT_AUTHN_FILTER = "envoy.filters.http.jwt_authn";

/** JWT identities a route's rules name, sorted: the providers a token may come from. */
export function jwtIdentitiesOf(route: RouteIR): string[] {
  if (route.access.kind !== "identities") return [];
  return [...new Set(route.access.rules.filter((rule) => rule.identityType === "jwt").map((rule) => rule.identity))].sort();
}

const requirementName = (identities: readonly string[]) => identities.join("|");

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
    clockSkewSeconds: jwt.clockSkewSeconds,
    // The token is the client's credential for the gateway, not for the upstream.
    forward: false,
  };
}

/** One requirement per distinct set of JWT identities that routes accept: any one valid token of those issuers. */
function requirements(ir: GatewayIR) {
  const sets = new Map<string, string[]>();
  for (const route of ir.routes) {
    const identities = jwtIdentitiesOf(route);
    if (identities.length > 0) sets.set(requirementName(identities), identities);
  }
  return sortedRecord(
    [...sets].map(([name, identities]) => [
      name,
      identities.length === 1
        ? { requiresType: { case: "providerName" as const, value: identities[0]! } }
        : { requiresType: { case: "requiresAny" as const, value: { requirements: identities.map((id) => ({ requiresType: { case: "providerName" as const, value: id } })) } } },
    ] as const),
  );
}

/**
 * Verifies JWTs (signature, issuer, audience, expiry) on routes whose rules name a JWT identity;
 * a missing or bad token is answered 401 here. Other routes carry no requirement.
 */
export const jwtAuthnFilter: HttpFilterModule = {
  name: JWT_AUTHN_FILTER,
  chainEntry: (ir) => {
    if (!ir.routes.some((route) => jwtIdentitiesOf(route).length > 0)) return undefined;
    return typedExtension(JWT_AUTHN_FILTER, JwtAuthenticationSchema, {
      providers: sortedRecord(ir.jwtProviders.map((jwt) => [jwt.name, provider(jwt)] as const)),
      requirementMap: requirements(ir),
      // Browsers send preflights without credentials; CORS answers them.
      bypassCorsPreflight: true,
    });
  },
  perRoute: (route) => {
    const identities = jwtIdentitiesOf(route);
    return identities.length > 0 ? packed(PerRouteConfigSchema, { requirementSpecifier: { case: "requirementName", value: requirementName(identities) } }) : undefined;
  },
};
