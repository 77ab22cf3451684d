/**
 * The callers an access matrix has rows for, derived from the IR: someone with no credential,
 * one JWT caller per distinct set of conditions the rules ask of an identity (and one holding
 * none), every API-key consumer, every mTLS client the rules name, and each of those again from
 * every client range a rule names. Each caller is concrete enough to be played against Envoy:
 * it holds exactly the claims, key or certificate it is described by.
 */
import type { AllowRuleIR, GatewayIR } from "../model/ir.ts";
import { representativeAddress, unnamedAddress } from "./addresses.ts";

export interface Caller {
  /** Stable, readable id, e.g. `jwt:customers[scopes=orders:read]@10.0.0.0/8`. */
  readonly id: string;
  readonly kind: "anonymous" | "jwt" | "apiKey" | "mtls";
  readonly identity?: string;
  /** JWT: what the token holds. */
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly claims: readonly { readonly name: string; readonly value: string }[];
  /** API key: whose key the caller presents. */
  readonly consumer?: string;
  /** mTLS: the SPIFFE ID or SAN of the caller's certificate. */
  readonly principal?: string;
  /** The client address and the range a rule names that it stands for (absent: a range no rule names). */
  readonly address: string;
  readonly range?: string;
}

type Credential = Omit<Caller, "id" | "address" | "range">;

const NONE = { scopes: [], roles: [], groups: [], claims: [] } as const;

function describe(credential: Credential): string {
  switch (credential.kind) {
    case "anonymous":
      return "anonymous";
    case "apiKey":
      return `apiKey:${credential.identity}/${credential.consumer}`;
    case "mtls":
      return `mtls:${credential.identity}/${credential.principal}`;
    case "jwt": {
      const parts = [
        ...(credential.scopes.length ? [`scopes=${credential.scopes.join(",")}`] : []),
        ...(credential.roles.length ? [`roles=${credential.roles.join(",")}`] : []),
        ...(credential.groups.length ? [`groups=${credential.groups.join(",")}`] : []),
        ...credential.claims.map((claim) => `${claim.name}=${claim.value}`),
      ];
      return `jwt:${credential.identity}${parts.length ? `[${parts.join(";")}]` : ""}`;
    }
  }
}

/** The credential that satisfies a rule's identity conditions, exactly and no more. */
function credentialFor(rule: AllowRuleIR): Credential[] {
  switch (rule.identityType) {
    case "address":
      return [{ kind: "anonymous", ...NONE }];
    case "jwt":
      return [{ kind: "jwt", identity: rule.identity!, scopes: rule.scopes, roles: rule.roles, groups: rule.groups, claims: rule.claims.map((c) => ({ name: c.name, value: c.values[0]! })) }];
    case "apiKey":
      return (rule.apiKey?.consumers ?? []).map((consumer) => ({ kind: "apiKey", identity: rule.identity!, consumer, ...NONE }));
    case "mtls":
      return (rule.mtlsPrincipals ?? []).map((principal) => ({ kind: "mtls", identity: rule.identity!, principal, ...NONE }));
  }
}

/** Every caller worth a row, sorted by id; no two rows are the same caller. */
export function callersOf(ir: GatewayIR): Caller[] {
  const rules = ir.routes.flatMap((route) => (route.access.kind === "identities" ? route.access.rules : []));
  const ranges = [...new Set(rules.flatMap((rule) => rule.clientCidrs))].sort();
  const elsewhere = unnamedAddress(ranges);
  const credentials = new Map<string, Credential>();
  const add = (credential: Credential) => credentials.set(describe(credential), credential);
  add({ kind: "anonymous", ...NONE });
  for (const jwt of ir.jwtProviders) add({ kind: "jwt", identity: jwt.name, ...NONE });
  for (const provider of ir.apiKeyProviders) for (const consumer of provider.consumers) add({ kind: "apiKey", identity: provider.name, consumer: consumer.name, ...NONE });
  for (const rule of rules) for (const credential of credentialFor(rule)) add(credential);

  const callers = new Map<string, Caller>();
  for (const [name, credential] of credentials) {
    callers.set(name, { id: name, ...credential, address: elsewhere });
    // The same caller from each range a rule names: address conditions are decided by where a caller is.
    for (const range of ranges) callers.set(`${name}@${range}`, { id: `${name}@${range}`, ...credential, address: representativeAddress(range), range });
  }
  return [...callers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
