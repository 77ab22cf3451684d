/**
 * Runs compiled rules over the view's subjects. A rule's finding is dropped where a compile code it
 * `covers` was already reported for the same subject (the problem is said once), and a finding on a
 * header-versioned default copy of a route is the route's own finding, so each is reported once.
 */
import { isCelError } from "@bufbuild/cel";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { ModelPath } from "../config/locate.ts";
import type { CompiledRule } from "./pack-compile.ts";
import type { PolicyView, Subject } from "./view.ts";

export interface Finding {
  readonly rule: CompiledRule;
  readonly severity: "error" | "warning";
  readonly subject: Subject;
  readonly message: string;
}

export interface ActiveRule {
  readonly rule: CompiledRule;
  readonly severity: "error" | "warning";
}

const within = (path: readonly (string | number)[], prefix: ModelPath) => prefix.every((part, i) => path[i] === part);

function covered(rule: CompiledRule, subject: Subject, reported: readonly Diagnostic[]): boolean {
  return rule.covers.length > 0 && reported.some((d) => rule.covers.includes(d.code) && d.path !== undefined && within(d.path, subject.path));
}

/** Every finding of `rules`, and a PCL5006 for each rule that failed while evaluating (it stops at its first failure). */
export function evaluateRules(rules: readonly ActiveRule[], view: PolicyView, today: string, reported: readonly Diagnostic[]): { findings: Finding[]; failures: Diagnostic[] } {
  const findings: Finding[] = [];
  const failures: Diagnostic[] = [];
  for (const { rule, severity } of rules) {
    const seen = new Set<string>();
    for (const subject of view.subjects) {
      if (subject.kind !== rule.subject || seen.has(subject.target)) continue;
      const bindings = { [subject.kind]: subject.value, gateway: view.gateway, today };
      const result = rule.evaluate(bindings);
      if (typeof result !== "boolean") {
        failures.push({
          code: "PCL5006",
          severity: "error",
          message: `rule ${rule.id} failed on ${subject.target}: ${isCelError(result) ? result.message : `it gave ${String(result)}, not a bool`}`,
          hint: "guard optional fields with has(), e.g. has(route.cors) && route.cors.credentials",
          location: rule.whenLocation,
        });
        break;
      }
      if (!result || covered(rule, subject, reported)) continue;
      seen.add(subject.target);
      findings.push({ rule, severity, subject, message: rule.render(bindings) });
    }
  }
  return { findings, failures };
}
