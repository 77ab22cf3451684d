/** Changes to what the policy engine lets through: waivers added or extended, rules turned down, permissive zero trust. */
import type { GatewayIR, WaiverIR } from "../model/ir.ts";
import { type Change, change } from "./change.ts";

const waiverKey = (waiver: WaiverIR) => `${waiver.rule} ${waiver.target}`;
const waiverWords = (waiver: WaiverIR) => `waiver of ${waiver.rule} for ${waiver.target}`;
const STRENGTH = { error: 2, warning: 1, off: 0 } as const;

function waiverChanges(before: GatewayIR, after: GatewayIR): Change[] {
  const old = new Map(before.policy.waivers.map((waiver) => [waiverKey(waiver), waiver]));
  const out: Change[] = [];
  after.policy.waivers.forEach((waiver, index) => {
    const at = ["policy", "waivers", index];
    const was = old.get(waiverKey(waiver));
    if (!was) out.push(change("security", "loosens", "waiver.added", `${waiverWords(waiver)} added until ${waiver.expires} (owner ${waiver.owner}: ${waiver.reason})`, at));
    else if (waiver.expires > was.expires) out.push(change("security", "loosens", "waiver.extended", `${waiverWords(waiver)} extended from ${was.expires} to ${waiver.expires}`, [...at, "expires"]));
    else if (waiver.expires < was.expires) out.push(change("security", "tightens", "waiver.shortened", `${waiverWords(waiver)} now expires ${waiver.expires} (was ${was.expires})`, [...at, "expires"]));
  });
  for (const waiver of before.policy.waivers) {
    if (!after.policy.waivers.some((other) => waiverKey(other) === waiverKey(waiver))) out.push(change("security", "tightens", "waiver.removed", `${waiverWords(waiver)} removed`, ["policy", "waivers"]));
  }
  return out;
}

function ruleChanges(before: GatewayIR, after: GatewayIR): Change[] {
  const severity = (ir: GatewayIR, rule: string) => ir.policy.rules.find((entry) => entry.rule === rule)?.severity;
  const rules = [...new Set([...before.policy.rules, ...after.policy.rules].map((entry) => entry.rule))].sort();
  const out: Change[] = [];
  for (const rule of rules) {
    const [was, now] = [severity(before, rule), severity(after, rule)];
    if (was === now) continue;
    const words = (value: string | undefined) => value ?? "the pack's severity";
    const risk = was && now ? (STRENGTH[now] < STRENGTH[was] ? "loosens" : "tightens") : "review";
    out.push(change("security", risk, "policy.severity", `policy rule ${rule}: severity ${words(was)} → ${words(now)}`, ["policy", "rules", rule]));
  }
  if (before.policy.zeroTrust !== after.policy.zeroTrust) {
    const relaxed = after.policy.zeroTrust === "permissive";
    out.push(change("security", relaxed ? "loosens" : "tightens", "policy.zero-trust", `zero trust mode ${before.policy.zeroTrust} → ${after.policy.zeroTrust}${relaxed ? " (zero-trust errors become warnings)" : ""}`, ["zeroTrust"]));
  }
  return out;
}

export function policyChanges(before: GatewayIR, after: GatewayIR): Change[] {
  return [...waiverChanges(before, after), ...ruleChanges(before, after)];
}
