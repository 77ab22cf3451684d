/**
 * Which tools (prompts, resources) a caller may use, for filtering lists: the same first-matching
 * rule Envoy applies to each tools/call (src/xds/mcp-tool-rbac.ts), or the access of the REST route a
 * published tool's call becomes, checked against the identity headers the gateway set after
 * verifying the caller (clients' copies are removed on arrival). Conditions the headers cannot
 * show (claims, client addresses) are refused in tool rules at compile time; in a REST route's
 * rules they admit nobody to the list (PCL4185 says so).
 */
import type { AccessIR, AllowRuleIR, IdentityHeadersIR, McpRuleIR } from "../model/ir.ts";
import { escapeRegex } from "../xds/proto.ts";

export interface McpCaller {
  /** The identity whose rule admitted the request. */
  readonly identity?: string;
  readonly subject?: string;
  readonly consumer?: string;
  readonly spiffeId?: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

/** A claim as the identity headers carry it: a JSON list, or a space-separated string (OAuth `scope`). */
function claimValues(text: string | undefined): string[] {
  if (!text) return [];
  if (text.startsWith("[")) {
    try {
      const list: unknown = JSON.parse(text);
      if (Array.isArray(list)) return list.filter((item): item is string => typeof item === "string");
    } catch {
      return [];
    }
  }
  return text.split(" ").filter((word) => word !== "");
}

export function callerFrom(headers: ReadonlyMap<string, string>, names: IdentityHeadersIR): McpCaller {
  const optional = (key: "identity" | "subject" | "consumer" | "spiffeId", header: string) => (headers.get(header) ? { [key]: headers.get(header) } : {});
  return {
    ...optional("identity", names.identity),
    ...optional("subject", names.subject),
    ...optional("consumer", names.consumer),
    ...optional("spiffeId", names.spiffeId),
    scopes: claimValues(headers.get(names.scopes)),
    roles: claimValues(headers.get(names.roles)),
    groups: claimValues(headers.get(names.groups)),
  };
}

const anyOf = (wanted: readonly string[], held: readonly string[]) => wanted.length === 0 || wanted.some((value) => held.includes(value));

function admits(rule: AllowRuleIR, caller: McpCaller): boolean {
  if (!rule.identity || rule.identity !== caller.identity) return false;
  if (rule.claims.length > 0 || rule.clientCidrs.length > 0) return false;
  if (!rule.scopes.every((scope) => caller.scopes.includes(scope))) return false;
  if (!anyOf(rule.roles, caller.roles) || !anyOf(rule.groups, caller.groups)) return false;
  if (rule.identityType === "apiKey") return caller.consumer !== undefined && (rule.apiKey?.consumers ?? []).includes(caller.consumer);
  if (rule.identityType === "mtls") return caller.spiffeId !== undefined && (rule.mtlsPrincipals ?? []).includes(caller.spiffeId);
  return rule.identityType === "jwt";
}

/** `search_*` matches `search_docs`; a name without `*` matches itself only. The regex is the one Envoy's RBAC runs (`.` stops at line breaks in both). */
export function patternMatches(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  return new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`).test(name);
}

/** Whether the access admits the caller, as far as its identity headers show. */
export function accessAdmits(access: AccessIR, caller: McpCaller): boolean {
  if (access.kind === "public") return true;
  if (access.kind === "deny") return false;
  return access.rules.some((allow) => admits(allow, caller));
}

/** The first rule whose pattern matches the name (a tool's, a prompt's, a resource's URI) decides; a name no rule matches is denied. */
export function mayUse(rules: readonly McpRuleIR[], name: string, caller: McpCaller): boolean {
  const rule = rules.find((candidate) => patternMatches(candidate.pattern, name));
  return rule !== undefined && accessAdmits(rule.access, caller);
}
