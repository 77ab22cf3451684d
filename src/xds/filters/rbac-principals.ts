import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PrincipalSchema } from "../../../generated/envoy/config/rbac/v3/rbac_pb.js";
import type { ValueMatcherSchema } from "../../../generated/envoy/type/matcher/v3/value_pb.js";
import { claimPath } from "../../model/claims.ts";
import type { AllowRuleIR } from "../../model/ir.ts";
import { JWT_AUTHN_FILTER, jwsHeaderKey } from "./jwt-authn.ts";
import { escapeRegex } from "../proto.ts";

type Principal = MessageInitShape<typeof PrincipalSchema>;
type ValueMatcher = MessageInitShape<typeof ValueMatcherSchema>;

const and = (ids: Principal[]): Principal => (ids.length === 1 ? ids[0]! : { identifier: { case: "andIds", value: { ids } } });
const or = (ids: Principal[]): Principal => (ids.length === 1 ? ids[0]! : { identifier: { case: "orIds", value: { ids } } });

/**
 * A matcher on the verified JWT payload that jwt_authn stored (as dynamic metadata, the default
 * source) under the identity's name. `sourced_metadata`, not the deprecated `metadata`, which Envoy
 * warns about on every config push.
 */
function claim(identity: string, path: readonly string[], value: ValueMatcher): Principal {
  return jwtMetadata([identity, ...path], value);
}

function jwtMetadata(path: readonly string[], value: ValueMatcher): Principal {
  const metadataMatcher = { filter: JWT_AUTHN_FILTER, path: path.map((key) => ({ segment: { case: "key" as const, value: key } })), value };
  return { identifier: { case: "sourcedMetadata", value: { metadataMatcher } } };
}

/**
 * The verified token names no critical JWS extension: Portcullis understands none, so it must
 * refuse such tokens. Once per identity's policy, not per rule (Envoy pays for every matcher).
 */
export function withoutCriticalExtensions(identity: string, principals: Principal[]): Principal {
  const critical = jwtMetadata([jwsHeaderKey(identity), "crit"], { matchPattern: { case: "presentMatch", value: true } });
  return and([{ identifier: { case: "notId", value: critical } }, or(principals)]);
}

/** The claim holds `value`: as an item of a list claim, or a word of a space-separated string (OAuth `scope`). */
function claimHolds(identity: string, name: string, value: string): Principal {
  const exact = { matchPattern: { case: "exact" as const, value } };
  const path = claimPath(name);
  return or([
    claim(identity, path, { matchPattern: { case: "listMatch", value: { matchPattern: { case: "oneOf", value: { matchPattern: { case: "stringMatch", value: exact } } } } } }),
    claim(identity, path, { matchPattern: { case: "stringMatch", value: { matchPattern: { case: "safeRegex", value: { regex: `(^|.* )${escapeRegex(value)}( .*|$)` } } } } }),
  ]);
}

function cidr(range: string): Principal {
  const [address, length] = range.split("/");
  return { identifier: { case: "remoteIp", value: { addressPrefix: address!, prefixLen: Number(length ?? (address!.includes(":") ? 128 : 32)) } } };
}

/** Conditions every rule kind can add: the client address. */
function clientConditions(rule: AllowRuleIR): Principal[] {
  return rule.clientCidrs.length > 0 ? [or(rule.clientCidrs.map(cidr))] : [];
}

function jwtPrincipal(rule: AllowRuleIR): Principal | undefined {
  const names = rule.claimNames;
  const identity = rule.identity;
  // A condition on a claim the identity does not map can never hold (resolve reports it as an error).
  if (!names || !identity || (rule.roles.length > 0 && !names.roles) || (rule.groups.length > 0 && !names.groups)) return undefined;
  return and([
    // Present only when jwt_authn verified a token of this identity's issuer.
    claim(identity, [], { matchPattern: { case: "presentMatch", value: true } }),
    ...rule.scopes.map((scope) => claimHolds(identity, names.scopes, scope)),
    ...(rule.roles.length > 0 ? [or(rule.roles.map((role) => claimHolds(identity, names.roles!, role)))] : []),
    ...(rule.groups.length > 0 ? [or(rule.groups.map((group) => claimHolds(identity, names.groups!, group)))] : []),
    ...rule.claims.map((c) => or(c.values.map((value) => claimHolds(identity, c.name, value)))),
    ...clientConditions(rule),
  ]);
}

function mtlsPrincipal(rule: AllowRuleIR): Principal | undefined {
  const ids = rule.mtlsPrincipals ?? [];
  if (ids.length === 0) return undefined;
  // The verified peer certificate's URI SAN (SPIFFE ID) or DNS SAN.
  return and([or(ids.map((id) => ({ identifier: { case: "authenticated", value: { principalName: { matchPattern: { case: "exact", value: id } } } } }))), ...clientConditions(rule)]);
}

/**
 * The consumer api_key_auth verified and wrote to the gateway's own header (a client's copy is
 * removed before any filter runs), one of those the rule admits.
 */
function apiKeyPrincipal(rule: AllowRuleIR): Principal | undefined {
  const consumers = rule.apiKey?.consumers ?? [];
  if (!rule.apiKey || consumers.length === 0) return undefined;
  const header = rule.apiKey.consumerHeader;
  const consumer = (name: string): Principal => ({ identifier: { case: "header", value: { name: header, headerMatchSpecifier: { case: "stringMatch", value: { matchPattern: { case: "exact", value: name } } } } } });
  return and([or(consumers.map(consumer)), ...clientConditions(rule)]);
}

/** The RBAC principal of an allow rule, or undefined when Envoy cannot enforce it yet (fails closed). */
export function rulePrincipal(rule: AllowRuleIR): Principal | undefined {
  switch (rule.identityType) {
    case "jwt":
      return jwtPrincipal(rule);
    case "mtls":
      return mtlsPrincipal(rule);
    case "apiKey":
      return apiKeyPrincipal(rule);
    case "address":
      return rule.clientCidrs.length > 0 ? and(clientConditions(rule)) : undefined;
  }
}
