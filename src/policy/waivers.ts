/**
 * Waivers: a finding accepted on purpose, by rule and target, with a reason, an owner and an
 * expiry. A waiver covers its target and everything under it (`apis.orders` covers its versions
 * and routes). One that has expired, names an unknown rule or a target that is not in the gateway,
 * or waives nothing, is an error: a stale waiver would hide the next finding of its kind.
 */
import type { ModelPath } from "../config/locate.ts";
import { closest } from "../config/suggest.ts";
import type { WaiverIR } from "../model/ir.ts";
import type { PolicyCode } from "./codes.ts";
import type { Finding } from "./evaluate.ts";

export interface WaivedFinding {
  readonly rule: string;
  readonly target: string;
  readonly message: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

export interface WaiverContext {
  /** Every rule id the loaded packs define, and those the user turned off. */
  readonly rules: ReadonlySet<string>;
  readonly off: ReadonlySet<string>;
  /** Every target a waiver may name (worked out only when there are waivers). */
  readonly targets: () => ReadonlySet<string>;
  readonly today: string;
  readonly report: (code: PolicyCode, message: string, path: ModelPath, hint: string) => void;
}

const coversTarget = (waiver: string, target: string) => target === waiver || target.startsWith(`${waiver}.`);

/** Every target and the targets above it (`apis.orders.versions.v1` → also `apis.orders`, `apis`). */
export function waiverTargets(targets: Iterable<string>): Set<string> {
  const all = new Set<string>();
  for (const target of targets) {
    const parts = target.split(".");
    for (let length = 1; length <= parts.length; length++) all.add(parts.slice(0, length).join("."));
  }
  return all;
}

/** Applies the valid, current waivers; returns the findings still reported and those waived. */
export function applyWaivers(findings: readonly Finding[], waivers: readonly WaiverIR[], context: WaiverContext): { findings: Finding[]; waived: WaivedFinding[] } {
  const waived: WaivedFinding[] = [];
  const waivedFindings = new Set<Finding>();
  waivers.forEach((waiver, index) => {
    const path = ["policy", "waivers", index];
    if (!context.rules.has(waiver.rule)) {
      const near = closest(waiver.rule, context.rules);
      context.report("PCL5011", `waiver for rule ${waiver.rule}, which no pack defines`, [...path, "rule"], near ? `did you mean ${near}?` : "policy rules are listed in policies/README.md and your packs");
      return;
    }
    if (!context.targets().has(waiver.target)) {
      const near = closest(waiver.target, context.targets());
      context.report("PCL5013", `waiver target '${waiver.target}' names nothing in this gateway`, [...path, "target"], near ? `did you mean '${near}'?` : "name an API, version, route, provider, identity or listener, e.g. apis.orders.versions.v1");
      return;
    }
    if (waiver.expires < context.today) {
      context.report("PCL5012", `waiver of ${waiver.rule} for ${waiver.target} expired on ${waiver.expires} (owner: ${waiver.owner})`, [...path, "expires"], "fix the finding and remove the waiver, or agree a new expiry date with its owner");
      return;
    }
    const matched = findings.filter((finding) => finding.rule.id === waiver.rule && coversTarget(waiver.target, finding.subject.target));
    if (matched.length === 0) {
      const why = context.off.has(waiver.rule) ? `${waiver.rule} is turned off in policy.rules` : `${waiver.rule} finds nothing at ${waiver.target}`;
      context.report("PCL5014", `waiver waives no finding: ${why}`, path, "remove the waiver");
      return;
    }
    for (const finding of matched) {
      if (waivedFindings.has(finding)) continue;
      waivedFindings.add(finding);
      waived.push({ rule: waiver.rule, target: finding.subject.target, message: finding.message, reason: waiver.reason, owner: waiver.owner, expires: waiver.expires });
    }
  });
  return { findings: findings.filter((finding) => !waivedFindings.has(finding)), waived };
}
