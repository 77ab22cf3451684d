/**
 * Which callers a route admits that its version's default access does not: the route-level
 * override that opens a version up. Callers are counted by who they are — an identity, an API-key
 * consumer, an mTLS client, a client address range, everyone — not by the scopes or roles they must
 * hold: a route that asks customers for another scope narrows or shifts access, it opens it to nobody new.
 */
import { BlockList, isIPv6 } from "node:net";
import type { AccessIR, AllowRuleIR } from "../model/ir.ts";

/** One kind of caller a rule admits, and the client ranges it must come from (empty: anywhere). */
interface Caller {
  readonly identity: string;
  /** The consumer or mTLS client within the identity; empty: any caller of the identity. */
  readonly who: string;
  readonly describe: string;
  readonly cidrs: readonly string[];
}

function callers(rule: AllowRuleIR): Caller[] {
  const identity = rule.identity ?? "";
  const cidrs = rule.clientCidrs;
  switch (rule.identityType) {
    case "address":
      return cidrs.map((cidr) => ({ identity: "", who: "", describe: `clients from ${cidr}`, cidrs: [cidr] }));
    case "apiKey":
      return (rule.apiKey?.consumers ?? []).map((consumer) => ({ identity, who: consumer, describe: `consumer ${consumer} of ${identity}`, cidrs }));
    case "mtls":
      return (rule.mtlsPrincipals ?? []).map((principal) => ({ identity, who: principal, describe: `mTLS client ${principal} of ${identity}`, cidrs }));
    default:
      return [{ identity, who: "", describe: `identity ${identity}`, cidrs }];
  }
}

function parseRange(range: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } {
  const [address = "", length] = range.split("/");
  const family = isIPv6(address) ? "ipv6" : "ipv4";
  return { address, prefix: Number(length ?? (family === "ipv6" ? 128 : 32)), family };
}

/** Whether every address of `inner` lies in `outer`. */
function rangeWithin(inner: string, outer: string): boolean {
  const a = parseRange(inner);
  const b = parseRange(outer);
  if (a.family !== b.family || a.prefix < b.prefix) return false;
  const list = new BlockList();
  list.addSubnet(b.address, b.prefix, b.family);
  return list.check(a.address, a.family);
}

/** A default caller covers a route caller when it is the same caller (or all of its identity) from at least the same addresses. */
function covers(wide: Caller, narrow: Caller): boolean {
  if (wide.identity !== narrow.identity || (wide.who !== "" && wide.who !== narrow.who)) return false;
  if (wide.cidrs.length === 0) return true;
  return narrow.cidrs.length > 0 && narrow.cidrs.every((range) => wide.cidrs.some((outer) => rangeWithin(range, outer)));
}

/** Descriptions of the callers `route` admits beyond `version` (empty when the version sets no default). */
export function beyondVersionAccess(route: AccessIR, version: AccessIR | undefined): string[] {
  if (!version || route.kind === "deny" || version.kind === "public") return [];
  if (route.kind === "public") return ["everyone"];
  const defaults = version.kind === "identities" ? version.rules.flatMap(callers) : [];
  const beyond = route.rules.flatMap(callers).filter((caller) => !defaults.some((wide) => covers(wide, caller)));
  return [...new Set(beyond.map((caller) => caller.describe))];
}
