/**
 * Runs compiled rules over the view's subjects. A rule's finding is dropped where a compile code it
 * `covers` was already reported for the same subject (the problem is said once), and a finding on a
 * header-versioned default copy of a route is the route's own finding, so each is reported once.
 */
import { type CelInput, celList, celMap, isCelError } from "@bufbuild/cel";
import type { Diagnostic } from "../config/diagnostics.ts";
import { sameItems } from "../same-items.ts";
import type { ModelPath } from "../config/locate.ts";
import { GenerationCache } from "../model/generation-cache.ts";
import { movedTo } from "../model/list-edit.ts";
import type { CompiledRule } from "./pack-compile.ts";
import type { RouteSubjectsChange } from "./route-subjects.ts";
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
function celValue(value: unknown, fields?: readonly string[]): CelInput {
  // The view's numbers are all integers (it has no doubles): CEL compares them as ints.
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map((item) => celValue(item)));
  if (value !== null && typeof value === "object" && value.constructor === Object) {
    const entries = Object.entries(value);
    return celMap(new Map((fields ? entries.filter(([key]) => fields.includes(key)) : entries).map(([key, field]) => [key, celValue(field)] as const)));
  }
  return value as CelInput;
}

/**
 * The fields of a `kind` subject that `rules` can read, sorted: each mention of the subject must be
 * a field access (`route.cors`), else undefined (all of them). A subject is converted to CEL with
 * those fields only, and subjects equal in them share their rule results: a route's value carries
 * its id, its version's access and its host names, which no built-in rule reads, so most routes of
 * a large config are evaluated once for all.
 */
function fieldsRead(kind: string, rules: readonly ActiveRule[]): readonly string[] | undefined {
  const fields = new Set<string>();
  const mention = new RegExp(`\\b${kind}\\b(?:\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*))?`, "g");
  for (const { rule } of rules) {
    if (rule.subject !== kind) continue;
    for (const match of rule.when.matchAll(mention)) {
      if (match[1] === undefined) return undefined;
      fields.add(match[1]);
    }
  }
  return [...fields].sort();
}

/** What rules reading only `fields` (all of them when undefined) can tell apart of a subject's value. */
function contentKey(kind: string, value: unknown, fields: readonly string[] | undefined): string {
  if (!fields) return `${kind}\0${JSON.stringify(value)}`;
  const record = value as Readonly<Record<string, unknown>>;
  // An absent field writes nothing, which no JSON value does.
  return `${kind}\0${fields.map((field) => JSON.stringify(record[field]) ?? "").join("\0")}`;
}

const within = (path: readonly (string | number)[], prefix: ModelPath) => prefix.every((part, i) => path[i] === part);

function covered(rule: CompiledRule, subject: Subject, reported: readonly Diagnostic[]): boolean {
  return rule.covers.length > 0 && reported.some((d) => rule.covers.includes(d.code) && d.path !== undefined && within(d.path, subject.path));
}

/**
 * Whether a rule's expression may read `gateway`, which lists every route: any mention counts (a
 * false alarm only costs the memo). Every other rule is pure: it reads its subject alone (and
 * perhaps `today`), so its result on a subject is the same until the date changes.
 */
const readsGateway = (rule: CompiledRule) => /\bgateway\b/.test(rule.when);

/** What the pure rules of a subject's kind said about it (and about every subject equal in the fields they read): only the results that were not `false` (findings and failures). */
interface Outcome {
  /** The rules it was worked out for (the same array while the rules stay the same), and the date. */
  readonly rules: readonly CompiledRule[];
  readonly today: string;
  readonly said: ReadonlyMap<CompiledRule, unknown>;
}

/** A subject's findings' messages, by rule, as they were first written for a date: a large config repeats a hundred warnings on every compile. */
const messagesBySubject = new WeakMap<Subject, { readonly today: string; readonly byRule: Map<CompiledRule, string> }>();

function writtenMessages(subject: Subject, today: string): Map<CompiledRule, string> {
  let written = messagesBySubject.get(subject);
  if (written?.today !== today) messagesBySubject.set(subject, (written = { today, byRule: new Map() }));
  return written.byRule;
}

/** Whether a rule's message may show `gateway` (then it is written again each time, like the rule is evaluated again). */
const showsGateway = (rule: CompiledRule) => /\{\s*gateway\b/.test(rule.message);

/**
 * What evaluation keeps between compiles of one gateway. Kept per gateway (compile.ts keeps one
 * with each gateway's other caches): two gateways with different packs compiled in turn would
 * otherwise each replace the other's rule sets, and every subject would be evaluated again.
 */
export interface PolicyState {
  /** The pure rules of each subject kind in the last compile: one array while they stay the same rules, for outcomes to be checked against. */
  readonly pureRuleSets: Map<string, readonly CompiledRule[]>;
  /** Outcomes by subject content: a recompile after a one-route edit evaluates that route again and reuses the rest. Holds the latest compile's subjects only. */
  readonly outcomesByContent: GenerationCache<Outcome>;
}

export function newPolicyState(): PolicyState {
  return { pureRuleSets: new Map(), outcomesByContent: new GenerationCache() };
}

function pureRulesOf(kind: string, rules: readonly ActiveRule[], state: PolicyState): readonly CompiledRule[] {
  const now = rules.flatMap(({ rule }) => (rule.subject === kind && !readsGateway(rule) ? [rule] : []));
  const last = state.pureRuleSets.get(kind);
  if (last && sameItems(last, now)) return last;
  state.pureRuleSets.set(kind, now);
  return now;
}

/**
 * The view hands back the same subject for a route that did not change (view.ts): its outcome is
 * found by identity, without writing out its content key — and without asking each rule again.
 */
const outcomesBySubject = new WeakMap<Subject, Outcome>();

/** Where in a list of subjects the pure rules said something, for the rules and the date they were worked out for. */
interface SaidAt {
  readonly rules: readonly CompiledRule[];
  readonly today: string;
  readonly at: readonly number[];
}

const saidAtBySubjects = new WeakMap<readonly Subject[], SaidAt>();

/**
 * The positions (ascending) of the subjects whose outcome says something. With the last compile's
 * positions for the same rules and date, and how the subjects follow from those (the route subjects
 * after an edit), the kept ones are moved and only the renewed ones looked at: a subject kept is the
 * same object, so its outcome is the same.
 */
function saidAt(subjects: readonly Subject[], worked: Omit<SaidAt, "at">, outcomeOf: (subject: Subject) => Outcome, change: RouteSubjectsChange | undefined): readonly number[] {
  const last = change && saidAtBySubjects.get(change.previous);
  const says = (at: number) => outcomeOf(subjects[at]!).said.size > 0;
  let at: number[];
  if (change && last && last.rules === worked.rules && last.today === worked.today) {
    const renewed = new Set(change.renewedAt);
    const moved = last.at.map((position) => movedTo(position, change)).filter((position) => position >= 0 && !renewed.has(position));
    at = mergeAscending(moved, change.renewedAt.filter(says));
  } else {
    at = [];
    for (let position = 0; position < subjects.length; position++) if (says(position)) at.push(position);
  }
  saidAtBySubjects.set(subjects, { ...worked, at });
  return at;
}

function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!);
  return out;
}

/** Every finding of `rules`, and a PCL5006 for each rule that failed while evaluating (it stops at its first failure). */
export function evaluateRules(rules: readonly ActiveRule[], view: PolicyView, today: string, reported: readonly Diagnostic[], state: PolicyState): { findings: Finding[]; failures: Diagnostic[] } {
  const findings: Finding[] = [];
  const failures: Diagnostic[] = [];
  let gateway: CelInput | undefined;
  const celGateway = () => (gateway ??= celValue(view.gateway));
  const converted = new Map<Subject, CelInput>();
  const fieldsByKind = new Map<string, readonly string[] | undefined>();
  const fieldsOf = (kind: string) => {
    if (!fieldsByKind.has(kind)) fieldsByKind.set(kind, fieldsRead(kind, rules));
    return fieldsByKind.get(kind);
  };
  const celSubject = (subject: Subject) => {
    let value = converted.get(subject);
    if (value === undefined) converted.set(subject, (value = celValue(subject.value, fieldsOf(subject.kind))));
    return value;
  };
  const run = (rule: CompiledRule, subject: Subject) => rule.evaluate({ [subject.kind]: celSubject(subject), ...(readsGateway(rule) ? { gateway: celGateway() } : {}), today });
  const subjectsOf = view.byKind;
  // The pure rules' outcomes where their results were not `false`, by rule, in subject order.
  const said = new Map<CompiledRule, Map<Subject, Outcome>>();
  state.outcomesByContent.nextGeneration();
  for (const [kind, subjects] of subjectsOf) {
    const pure = pureRulesOf(kind, rules, state);
    if (pure.length === 0) continue;
    const evaluate = (subject: Subject) => () => {
      const value = celSubject(subject);
      const results = new Map<CompiledRule, unknown>();
      for (const rule of pure) {
        const result = rule.evaluate({ [kind]: value, today });
        if (result !== false) results.set(rule, result);
      }
      return { rules: pure, today, said: results };
    };
    const outcomeOf = (subject: Subject): Outcome => {
      let outcome = outcomesBySubject.get(subject);
      if (outcome?.rules !== pure || outcome.today !== today) {
        outcome = state.outcomesByContent.get(contentKey(kind, subject.value, fieldsOf(kind)), evaluate(subject), (known) => known.rules === pure && known.today === today);
        outcomesBySubject.set(subject, outcome);
      }
      return outcome;
    };
    for (const at of saidAt(subjects, { rules: pure, today }, outcomeOf, kind === "route" ? view.routeChange : undefined)) {
      const subject = subjects[at]!;
      const outcome = outcomeOf(subject);
      for (const rule of outcome.said.keys()) {
        const bySubject = said.get(rule);
        if (bySubject) bySubject.set(subject, outcome);
        else said.set(rule, new Map([[subject, outcome]]));
      }
    }
  }
  for (const { rule, severity } of rules) {
    const seen = new Set<string>();
    const known = readsGateway(rule) ? undefined : (said.get(rule) ?? new Map<Subject, Outcome>());
    const keepsMessages = !showsGateway(rule);
    for (const subject of known ? known.keys() : (subjectsOf.get(rule.subject) ?? [])) {
      if (seen.has(subject.target)) continue;
      const outcome = known?.get(subject);
      const result = outcome ? outcome.said.get(rule) : run(rule, subject);
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
      const written = keepsMessages && outcome ? writtenMessages(subject, today) : undefined;
      let message = written?.get(rule);
      if (message === undefined) {
        message = rule.render({ [subject.kind]: subject.value, gateway: view.gateway, today });
        written?.set(rule, message);
      }
      findings.push({ rule, severity, subject, message });
    }
  }
  return { findings, failures };
}
