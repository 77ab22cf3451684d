/**
 * Allow rules that never decide (PCL4091): every caller a rule admits is also admitted by another
 * rule of the same access, so removing it changes nothing (rules are alternatives; the broader
 * one always holds too). Decided from the rules' conditions, not from sample callers: a rule is
 * reported only when the other provably covers it.
 */
import { isIPv6 } from "node:net";
import { inRanges } from "../../access/addresses.ts";
import { describeRule } from "../../access/decide.ts";
import type { ModelPath } from "../../config/locate.ts";
import type { AllowRuleIR, GatewayIR } from "../../model/ir.ts";
import type { ConfigPaths } from "../paths.ts";
import type { ShadowingFinding } from "./finding.ts";

const subset = (inner: readonly string[], outer: readonly string[]) => inner.every((value) => outer.includes(value));

/** Whether the CIDR `inner` lies inside `outer` (aligned blocks nest or are disjoint). */
function rangeWithin(inner: string, outer: string): boolean {
  const [innerAddress = "", innerLength] = inner.split("/");
  const [outerAddress = "", outerLength] = outer.split("/");
  if (isIPv6(innerAddress) !== isIPv6(outerAddress)) return false;
  const full = isIPv6(outerAddress) ? 128 : 32;
  return Number(innerLength ?? full) >= Number(outerLength ?? full) && inRanges(innerAddress, [outer]);
}

/** "One of these" conditions: `broad` holds wherever `narrow` does when it asks for nothing, or for a superset of narrow's choices. */
const anyOfCovers = (broad: readonly string[], narrow: readonly string[]) => broad.length === 0 || (narrow.length > 0 && subset(narrow, broad));

/** Whether every caller `narrow` admits is admitted by `broad`. */
export function covers(broad: AllowRuleIR, narrow: AllowRuleIR): boolean {
  const addresses = broad.clientCidrs.length === 0 || (narrow.clientCidrs.length > 0 && narrow.clientCidrs.every((inner) => broad.clientCidrs.some((outer) => rangeWithin(inner, outer))));
  if (!addresses) return false;
  if (broad.identityType === "address") return true;
  if (broad.identityType !== narrow.identityType || broad.identity !== narrow.identity) return false;
  switch (broad.identityType) {
    case "apiKey":
      return subset(narrow.apiKey?.consumers ?? [], broad.apiKey?.consumers ?? []);
    case "mtls":
      return subset(narrow.mtlsPrincipals ?? [], broad.mtlsPrincipals ?? []);
    default:
      return (
        subset(broad.scopes, narrow.scopes) &&
        anyOfCovers(broad.roles, narrow.roles) &&
        anyOfCovers(broad.groups, narrow.groups) &&
        broad.claims.every((claim) => narrow.claims.some((held) => held.name === claim.name && subset(held.values, claim.values)))
      );
  }
}

/** The rule indexes of `rules` that another rule covers (of two equal rules, the later). */
export function neverDeciding(rules: readonly AllowRuleIR[]): { index: number; by: number }[] {
  const out: { index: number; by: number }[] = [];
  rules.forEach((rule, index) => {
    const by = rules.findIndex((other, j) => j !== index && covers(other, rule) && (j < index || !covers(rule, other)));
    if (by >= 0) out.push({ index, by });
  });
  return out;
}

export function subsumedRuleFindings(ir: GatewayIR, at: ConfigPaths): ShadowingFinding[] {
  const findings = new Map<string, ShadowingFinding>();
  for (const route of ir.routes) {
    if (route.access.kind !== "identities") continue;
    // Rules inherited from the version are written once, at the version: reported once, there.
    const accessPath: ModelPath = at.route(route.id)?.accessPath ?? at.version(route.api, route.version);
    for (const { index, by } of neverDeciding(route.access.rules)) {
      const path = [...accessPath, "allow", index];
      const [rule, broader] = [route.access.rules[index]!, route.access.rules[by]!];
      findings.set(JSON.stringify(path), {
        code: "PCL4091",
        message: `allow rule ${index + 1} (${describeRule(rule)}) never decides: rule ${by + 1} (${describeRule(broader)}) admits every caller it admits`,
        hint: `remove rule ${index + 1}, or narrow rule ${by + 1} if rule ${index + 1} was meant to be the only way in`,
        path,
      });
    }
  }
  return [...findings.values()];
}
