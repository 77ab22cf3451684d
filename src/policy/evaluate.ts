/**
 * Runs compiled rules over the view's subjects. A rule's finding is dropped where a compile code it
 * `covers` was already reported for the same subject (the problem is said once), and a finding on a
 * header-versioned default copy of a route is the route's own finding, so each is reported once.
 */
import { type CelInput, celList, celMap, isCelError } from "@bufbuild/cel";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { ModelPath } from "../config/locate.ts";
import { GenerationCache } from "../model/generation-cache.ts";
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

/**
 * A view value as CEL values all the way down. CEL converts a plain object into a map on every
 * field access, again for each rule; converted once, a subject costs that once for all the rules
 * (about half of a 1,000-route compile's policy time).
 */
function celValue(value: unknown): CelInput {
  // The view's numbers are all integers (it has no doubles): CEL compares them as ints.
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map(celValue));
  if (value !== null && typeof value === "object" && value.constructor === Object) {
    return celMap(new Map(Object.entries(value).map(([key, field]) => [key, celValue(field)] as const)));
  }
  return value as CelInput;
}

const within = (path: readonly (string | number)[], prefix: ModelPath) => prefix.every((part, i) => path[i] === part);

function covered(rule: CompiledRule, subject: Subject, reported: readonly Diagnostic[]): boolean {
  return rule.covers.length > 0 && reported.some((d) => rule.covers.includes(d.code) && d.path !== undefined && within(d.path, subject.path));
}

/** Whether a rule's expression may read a binding: any mention counts (a false alarm only costs the memo). */
const mentions = (rule: CompiledRule, binding: "gateway" | "today") => new RegExp(`\\b${binding}\\b`).test(rule.when);

/**
 * Results of rules that read their subject alone (not `gateway`, which lists every route, nor
 * `today`), by subject content and rule: a recompile after a one-route edit evaluates that route
 * again and reuses the rest. Holds the subjects of the latest compile only, and lets go of the
 * results of user rules compiled afresh.
 */
const memo = new GenerationCache<WeakMap<CompiledRule, unknown>>();

/**
 * The view hands back the same subject for a route that did not change (view.ts): its results are
 * found by identity, without writing out its content key again.
 */
const resultsBySubject = new WeakMap<Subject, WeakMap<CompiledRule, unknown>>();

/** Every finding of `rules`, and a PCL5006 for each rule that failed while evaluating (it stops at its first failure). */
export function evaluateRules(rules: readonly ActiveRule[], view: PolicyView, today: string, reported: readonly Diagnostic[]): { findings: Finding[]; failures: Diagnostic[] } {
  const findings: Finding[] = [];
  const failures: Diagnostic[] = [];
  let gateway: CelInput | undefined;
  const celGateway = () => (gateway ??= celValue(view.gateway));
  const converted = new Map<Subject, CelInput>();
  const celSubject = (subject: Subject) => {
    if (!converted.has(subject)) converted.set(subject, celValue(subject.value));
    return converted.get(subject);
  };
  memo.nextGeneration();
  const resultsOf = (subject: Subject) => {
    let results = resultsBySubject.get(subject);
    if (!results) resultsBySubject.set(subject, (results = memo.get(`${subject.kind}\0${JSON.stringify(subject.value)}`, () => new WeakMap())));
    return results;
  };
  const subjectsOf = new Map<string, Subject[]>();
  for (const subject of view.subjects) {
    const ofKind = subjectsOf.get(subject.kind);
    if (ofKind) ofKind.push(subject);
    else subjectsOf.set(subject.kind, [subject]);
  }
  for (const { rule, severity } of rules) {
    const seen = new Set<string>();
    const readsGateway = mentions(rule, "gateway");
    const pure = !readsGateway && !mentions(rule, "today");
    const run = (subject: Subject) => rule.evaluate({ [subject.kind]: celSubject(subject), ...(readsGateway ? { gateway: celGateway() } : {}), today });
    const evaluate = (subject: Subject) => {
      if (!pure) return run(subject);
      const results = resultsOf(subject);
      if (!results.has(rule)) results.set(rule, run(subject));
      return results.get(rule);
    };
    for (const subject of subjectsOf.get(rule.subject) ?? []) {
      if (seen.has(subject.target)) continue;
      const result = evaluate(subject);
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
      findings.push({ rule, severity, subject, message: rule.render({ [subject.kind]: subject.value, gateway: view.gateway, today }) });
    }
  }
  return { findings, failures };
}
