import type { IdentityHeaderNames } from "../config/types.ts";
import type { IdentityHeadersIR } from "./ir.ts";

/**
 * What upstreams and the access log are told admitted a request that an address rule (no
 * identity) allowed. Identity names are `[a-z][a-z0-9-]*`, so none can be this.
 */
export const ADDRESS_RULE_IDENTITY = "client_address";

/** The gateway's own identity headers, `x-portcullis-<kind>` unless the config renames them. */
export const DEFAULT_IDENTITY_HEADERS: IdentityHeadersIR = {
  identity: "x-portcullis-identity",
  subject: "x-portcullis-subject",
  scopes: "x-portcullis-scopes",
  roles: "x-portcullis-roles",
  groups: "x-portcullis-groups",
  consumer: "x-portcullis-consumer",
  spiffeId: "x-portcullis-spiffe-id",
};

export function resolveIdentityHeaders(names: IdentityHeaderNames | undefined): IdentityHeadersIR {
  const resolved = { ...DEFAULT_IDENTITY_HEADERS };
  for (const kind of Object.keys(resolved) as (keyof IdentityHeadersIR)[]) {
    const name = names?.[kind];
    if (name !== undefined) resolved[kind] = name.toLowerCase();
  }
  return resolved;
}
