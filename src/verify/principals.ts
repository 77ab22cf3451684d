/**
 * What an RBAC principal needs verified before it can match: the JWT payload jwt_authn stored
 * (dynamic metadata only that filter writes), a header only a credential filter sets, the peer
 * certificate the listener checked, or the client address. A principal that can match without
 * any of them (`any`, a negation, a request property a client controls) admits callers nothing
 * verified.
 */
import type { Principal } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";

export const JWT_AUTHN_FILTER = "envoy.filters.http.jwt_authn";

export type Need =
  | { readonly kind: "jwt"; readonly metadataKey: string }
  | { readonly kind: "header"; readonly name: string }
  | { readonly kind: "peer-certificate" }
  | { readonly kind: "client-address" };

/**
 * The needs a principal cannot match without (all of them), or undefined when it can match with
 * none. An `or` needs what every branch needs, so each branch must itself need something.
 */
export function needsOf(principal: Principal): Need[] | undefined {
  const id = principal.identifier;
  switch (id.case) {
    case "andIds": {
      const parts = id.value.ids.map(needsOf).filter((needs): needs is Need[] => needs !== undefined);
      return parts.length > 0 ? parts.flat() : undefined;
    }
    case "orIds": {
      const parts = id.value.ids.map(needsOf);
      return parts.length > 0 && parts.every((needs) => needs !== undefined) ? parts.flat() : undefined;
    }
    case "sourcedMetadata": {
      const matcher = id.value.metadataMatcher;
      const key = matcher?.path[0]?.segment.case === "key" ? matcher.path[0].segment.value : undefined;
      return matcher?.filter === JWT_AUTHN_FILTER && key ? [{ kind: "jwt", metadataKey: key }] : undefined;
    }
    case "header":
      return [{ kind: "header", name: id.value.name.toLowerCase() }];
    case "authenticated":
      return [{ kind: "peer-certificate" }];
    case "remoteIp":
    case "directRemoteIp":
    case "sourceIp":
      return [{ kind: "client-address" }];
    default:
      return undefined;
  }
}
