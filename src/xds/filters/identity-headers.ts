import { HeaderValueOption_HeaderAppendAction } from "../../../generated/envoy/config/core/v3/base_pb.js";
import { HeaderMutationSchema } from "../../../generated/envoy/extensions/filters/http/header_mutation/v3/header_mutation_pb.js";
import { claimPath } from "../../model/claims.ts";
import type { GatewayIR, IdentityHeadersIR, JwtProviderIR, RouteIR } from "../../model/ir.ts";
import { JWT_AUTHN_FILTER } from "./jwt-authn.ts";
import { typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { someRoute } from "../../model/route-counts.ts";

const admitsIdentities = (route: RouteIR) => route.access.kind === "identities";

export const IDENTITY_HEADERS_FILTER = "envoy.filters.http.header_mutation";

/** The RBAC filter's shadow rules name their policies after identities (rbac.ts): the one that admitted the request. */
export const ADMITTING_IDENTITY = "%DYNAMIC_METADATA(envoy.filters.http.rbac:shadow_effective_policy_id)%";

/** The URI SAN of the client certificate the listener verified; empty without one. */
export const PEER_SPIFFE_ID = "%DOWNSTREAM_PEER_URI_SAN%";

const set = (key: string, value: string) => ({
  action: {
    case: "append" as const,
    // An empty value (no certificate, an unnamed rule) sets no header at all.
    value: { header: { key, value }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD, keepEmptyValue: false },
  },
});

/**
 * The verified token's claims, read from where jwt_authn stored the payload (under the identity's
 * name). Only the identity whose token was verified has that metadata; the others come out
 * empty and set nothing. A list claim is written as JSON (`["clerk","admin"]`).
 */
function claimMutations(jwt: JwtProviderIR, headers: IdentityHeadersIR) {
  const claims = jwt.claims;
  const mapped: [string, string | undefined][] = [
    [headers.subject, claims.subject],
    [headers.scopes, claims.scopes],
    [headers.roles, claims.roles],
    [headers.groups, claims.groups],
  ];
  return mapped.flatMap(([header, claim]) => (claim && forwardable(claim) ? [set(header, `%DYNAMIC_METADATA(${JWT_AUTHN_FILTER}:${[jwt.name, ...claimPath(claim)].join(":")})%`)] : []));
}

/** Envoy's metadata formatter separates path segments with ':', so a claim name holding one cannot be addressed. */
export const forwardable = (claim: string) => !claim.includes(":");

/**
 * The identity headers no other filter sets: which identity admitted the request, and the SPIFFE
 * ID of a verified client certificate, and the verified token's claims. The API-key consumer
 * is written by api_key_auth, which verifies it. Runs after everything that
 * decides, so only admitted requests carry them; client copies were removed on arrival.
 */
export const identityHeadersFilter: HttpFilterModule = {
  name: IDENTITY_HEADERS_FILTER,
  chainEntry: (ir: GatewayIR) => {
    if (!someRoute(ir.routes, admitsIdentities)) return undefined;
    const headers = ir.identityHeaders;
    return typedExtension(IDENTITY_HEADERS_FILTER, HeaderMutationSchema, {
      mutations: {
        requestMutations: [set(headers.identity, ADMITTING_IDENTITY), set(headers.spiffeId, PEER_SPIFFE_ID), ...ir.jwtProviders.flatMap((jwt) => claimMutations(jwt, headers))],
      },
    });
  },
};
