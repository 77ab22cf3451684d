/**
 * What Envoy does with one caller's request to one route, decided from the IR alone — the same
 * semantics the translator compiles to jwt_authn, api_key_auth and RBAC, written a second time
 * so that the two can be checked against each other (test/e2e/access-matrix.test.ts).
 */
import { apiKeyOptional, apiKeyRules, optionalKeySources } from "../model/api-key-routes.ts";
import type { AllowRuleIR, ApiKeySourceIR, GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";
import { inRanges } from "./addresses.ts";
import { ADDRESS_RULE_IDENTITY } from "../model/identity-headers.ts";
import type { Caller } from "./callers.ts";

export interface Decision {
  readonly outcome: "allow" | "deny" | "gone" | "unreachable";
  /** The HTTP status the caller gets (0: the connection is refused before any HTTP; 404: no route; 405: not this method). */
  readonly status: number;
  readonly reason: string;
  /** The identity whose rule admitted the request (`client_address` for an address rule), as upstreams are told. */
  readonly admittedBy?: string;
}

const allow = (reason: string): Decision => ({ outcome: "allow", status: 200, reason });
const deny = (status: 401 | 403 | 404 | 405, reason: string): Decision => ({ outcome: "deny", status, reason });

function holds(rule: AllowRuleIR, caller: Caller): boolean {
  if (rule.clientCidrs.length > 0 && !inRanges(caller.address, rule.clientCidrs)) return false;
  switch (rule.identityType) {
    case "address":
      return true;
    case "apiKey":
      return caller.kind === "apiKey" && caller.consumer !== undefined && (rule.apiKey?.consumers ?? []).includes(caller.consumer);
    case "mtls":
      return caller.kind === "mtls" && caller.principal !== undefined && (rule.mtlsPrincipals ?? []).includes(caller.principal);
    case "jwt":
      return (
        caller.kind === "jwt" &&
        caller.identity === rule.identity &&
        rule.scopes.every((scope) => caller.scopes.includes(scope)) &&
        (rule.roles.length === 0 || rule.roles.some((role) => caller.roles.includes(role))) &&
        (rule.groups.length === 0 || rule.groups.some((group) => caller.groups.includes(group))) &&
        rule.claims.every((claim) => caller.claims.some((held) => held.name === claim.name && claim.values.includes(held.value)))
      );
  }
}

export function describeRule(rule: AllowRuleIR): string {
  const conditions = [
    ...(rule.scopes.length ? [`scopes ${rule.scopes.join(" & ")}`] : []),
    ...(rule.roles.length ? [`a role of ${rule.roles.join(" | ")}`] : []),
    ...(rule.groups.length ? [`a group of ${rule.groups.join(" | ")}`] : []),
    ...rule.claims.map((claim) => `${claim.name} in ${claim.values.join(" | ")}`),
    ...(rule.identityType === "apiKey" ? [`consumer ${(rule.apiKey?.consumers ?? []).join(" | ")}`] : []),
    ...(rule.identityType === "mtls" ? [`certificate ${(rule.mtlsPrincipals ?? []).join(" | ")}`] : []),
    ...(rule.clientCidrs.length ? [`from ${rule.clientCidrs.join(" | ")}`] : []),
  ];
  return `${rule.identity ?? "client address"}${conditions.length ? `: ${conditions.join(", ")}` : ""}`;
}

const sameSource = (a: ApiKeySourceIR, b: ApiKeySourceIR) => ("header" in a ? "header" in b && a.header === b.header : "query" in b && a.query === b.query);
const describeSource = (source: ApiKeySourceIR) => ("header" in source ? `header ${source.header}` : `query parameter ${source.query}`);

/** Where the caller puts its key: its identity's key source. */
function callerKeySource(ir: GatewayIR, caller: Caller): ApiKeySourceIR | undefined {
  return caller.kind === "apiKey" ? ir.apiKeyProviders.find((provider) => provider.name === caller.identity)?.source : undefined;
}

/** api_key_auth: 401 without a valid key where it looks, 403 for a consumer not admitted; skipped where a key is optional and none is sent. */
function checkKey(ir: GatewayIR, route: RouteIR, caller: Caller): Decision | undefined {
  const rules = apiKeyRules(route);
  if (rules.length === 0) return undefined;
  const source = rules[0]!.apiKey.source;
  const sent = callerKeySource(ir, caller);
  if (apiKeyOptional(route) && !(sent && optionalKeySources(ir.routes).some((optional) => sameSource(optional, sent)))) return undefined;
  if (!sent || !sameSource(sent, source)) return deny(401, `no valid API key in ${describeSource(source)}`);
  const allowed = [...new Set(rules.flatMap((rule) => rule.apiKey.consumers))];
  return allowed.includes(caller.consumer!) ? undefined : deny(403, `consumer ${caller.consumer} is not admitted`);
}

/** jwt_authn: 401 for a token of an issuer the route does not take, or for no token where one is required. */
function checkToken(rules: readonly AllowRuleIR[], caller: Caller): Decision | undefined {
  const issuers = [...new Set(rules.flatMap((rule) => (rule.identityType === "jwt" && rule.identity ? [rule.identity] : [])))];
  if (issuers.length === 0) return undefined;
  if (caller.kind === "jwt") return issuers.includes(caller.identity!) ? undefined : deny(401, `a token of ${caller.identity} is not accepted here`);
  const optional = rules.some((rule) => rule.identityType !== "jwt");
  return optional ? undefined : deny(401, `no token of ${issuers.join(" or ")}`);
}

/** Listeners whose host names include one of the route's: those that serve it. */
function listenersOf(ir: GatewayIR, route: RouteIR): ListenerIR[] {
  return ir.listeners.filter((listener) => listener.hostnames.some((host) => route.hostnames.includes(host)));
}

export function decide(ir: GatewayIR, route: RouteIR, caller: Caller): Decision {
  const listeners = listenersOf(ir, route);
  const viaClientCertificate = listeners.some((listener) => listener.tls?.clientCertificate);
  const withoutCertificate = listeners.some((listener) => !listener.tls?.clientCertificate?.required);
  // An mTLS caller comes in over a listener that verifies its certificate; everyone else over one that does not ask.
  if (caller.kind === "mtls" ? !viaClientCertificate : !withoutCertificate) {
    return { outcome: "unreachable", status: 0, reason: caller.kind === "mtls" ? "no listener serving this route verifies client certificates" : "every listener serving this route requires a client certificate" };
  }
  if (route.action.kind === "gone") return { outcome: "gone", status: 410, reason: "retired version" };
  const access = route.access;
  if (access.kind === "public") return allow(`public: ${access.reason}`);
  if (access.kind === "deny") return deny(403, "no rule: deny by default");
  const refused = checkKey(ir, route, caller) ?? checkToken(access.rules, caller);
  if (refused) return refused;
  // Several rules may hold; upstreams are told the first identity by name, as Envoy's RBAC reports its first matching policy.
  const admitting = access.rules
    .map((rule, index) => ({ rule, index, name: rule.identity ?? ADDRESS_RULE_IDENTITY }))
    .filter(({ rule }) => holds(rule, caller))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index))[0];
  if (!admitting) return deny(403, "no rule admits this caller");
  return { ...allow(`rule ${admitting.index + 1} (${describeRule(admitting.rule)})`), admittedBy: admitting.name };
}
