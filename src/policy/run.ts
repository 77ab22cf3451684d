/**
 * The policy engine: the built-in packs and the user's packs run over the IR's policy view, with
 * the severities the user set and the waivers they accepted. Its findings are diagnostics like any
 * other stage's, each placed at the config line it is about; a rule's finding carries the rule's id.
 */
import { readFileSync } from "node:fs";
import type { Diagnostic, SourceLocation } from "../config/diagnostics.ts";
import { locateNearest, type Locate, type ModelPath } from "../config/locate.ts";
import { closest } from "../config/suggest.ts";
import type { GatewayIR, PolicyIR } from "../model/ir.ts";
import type { PolicyCode } from "./codes.ts";
import { evaluateRules, newPolicyState, type ActiveRule, type Finding, type PolicyState } from "./evaluate.ts";
import type { CompiledRule } from "./pack-compile.ts";
import { builtInRules, userPack } from "./packs.ts";
import { buildView } from "./view.ts";
import { applyWaivers, waiverTargets, type WaivedFinding } from "./waivers.ts";

export type { WaivedFinding };

export interface PolicyOptions {
  /** The config file: findings about the config are placed in it. */
  readonly file: string;
  readonly locate?: Locate;
  /** `YYYY-MM-DD`, for waiver expiry and lifecycle dates. */
  readonly today: string;
  /** Findings of earlier stages: a rule that `covers` one of them stays silent where it was reported. */
  readonly reported?: readonly Diagnostic[];
  /** What the last compile of this gateway evaluated (compile.ts keeps one per gateway); without it, every rule is evaluated on every subject. */
  readonly state?: PolicyState;
}

export interface PolicyResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly waived: readonly WaivedFinding[];
  /** The user's pack files (what `serve --watch` follows). */
  readonly files: readonly string[];
}

type Report = (code: PolicyCode, message: string, path: ModelPath, hint: string, part?: "key") => void;

/** The rules of every pack; a pack file that cannot be read is reported at its entry in policy.packs. */
function loadRules(policy: PolicyIR, report: Report, out: Diagnostic[]): CompiledRule[] {
  const rules = [...builtInRules()];
  policy.packs.forEach((pack, index) => {
    let text: string;
    try {
      text = readFileSync(pack.file, "utf8");
    } catch (error) {
      report("PCL5001", `policy pack ${pack.written} cannot be read (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`, ["policy", "packs", index], "check the path; it is relative to the config file");
      return;
    }
    const loaded = userPack(pack.file, text);
    out.push(...loaded.diagnostics);
    for (const rule of loaded.rules) {
      const first = rules.find((other) => other.id === rule.id);
      if (!first) rules.push(rule);
      else out.push({ code: "PCL5005", severity: "error", message: `rule ${rule.id} is defined twice`, hint: `it is already defined in ${first.file}; give this rule an id of its own`, location: rule.location });
    }
  });
  return rules;
}

/** Each rule at the severity it runs with: the user's, else (for zero-trust errors in permissive mode) a warning, else the pack's. */
function activeRules(rules: readonly CompiledRule[], policy: PolicyIR, report: Report): { active: ActiveRule[]; off: Set<string> } {
  const chosen = new Map<string, "error" | "warning" | "off">();
  for (const { rule: id, severity } of policy.rules) {
    if (rules.some((rule) => rule.id === id)) {
      chosen.set(id, severity);
      continue;
    }
    const covering = rules.find((rule) => rule.covers.includes(id));
    if (/^PCL[0-9]{4}$/.test(id)) {
      report("PCL5010", `${id} is a compile finding, not a policy rule: it says the config cannot be compiled as written, so it cannot be turned off or down`, ["policy", "rules", id], covering ? `the policy rule on the same problem is ${covering.id} (${covering.title}); set its severity instead` : "fix what the finding says", "key");
    } else {
      const near = closest(id, rules.map((rule) => rule.id));
      report("PCL5010", `policy.rules names ${id}, which no pack defines`, ["policy", "rules", id], near ? `did you mean ${near}?` : "policy rules are listed in policies/README.md and your packs", "key");
    }
  }
  const active: ActiveRule[] = [];
  const off = new Set<string>();
  for (const rule of rules) {
    const relaxed = rule.pack === "zero-trust" && policy.zeroTrust === "permissive" && rule.severity === "error" ? "warning" : rule.severity;
    const severity = chosen.get(rule.id) ?? relaxed;
    if (severity === "off") off.add(rule.id);
    else active.push({ rule, severity });
  }
  return { active, off };
}

/** Runs every pack over `ir`. Throws only when a built-in pack is broken (a bug). */
export function runPolicy(ir: GatewayIR, options: PolicyOptions): PolicyResult {
  const place = (path: ModelPath, part?: "key") => (options.locate ? { location: locateNearest(options.locate, options.file, path, part) } : {});
  const diagnostics: Diagnostic[] = [];
  const report: Report = (code, message, path, hint, part) => diagnostics.push({ code, severity: "error", message, hint, path: [...path], ...place(path, part) });
  const rules = loadRules(ir.policy, report, diagnostics);
  const { active, off } = activeRules(rules, ir.policy, report);
  const view = buildView(ir);
  const evaluated = evaluateRules(active, view, options.today, options.reported ?? [], options.state ?? newPolicyState());
  diagnostics.push(...evaluated.failures);
  let targets: Set<string> | undefined;
  const { findings, waived } = applyWaivers(evaluated.findings, ir.policy.waivers, {
    rules: new Set(rules.map((rule) => rule.id)),
    off,
    targets: () => (targets ??= waiverTargets(view.subjects.map((subject) => subject.target))),
    today: options.today,
    report,
  });
  const locate = options.locate;
  diagnostics.push(...findings.map((finding) => findingDiagnostic(finding, locate && ((path) => locateNearest(locate, options.file, path)))));
  return { diagnostics, waived, files: ir.policy.packs.map((pack) => pack.file) };
}

/**
 * The finding as a diagnostic, placed in the config text when its location is first read: a large
 * config can have a hundred warnings, and serve pushes the snapshot before it writes them out.
 */
function findingDiagnostic(finding: Finding, locate: ((path: ModelPath) => SourceLocation) | undefined): Diagnostic {
  const { rule, subject } = finding;
  const at = rule.at === "access" && subject.accessPath ? subject.accessPath : [...subject.path, ...(rule.at?.split(".") ?? [])];
  const diagnostic: Diagnostic = { code: rule.id, severity: finding.severity, message: finding.message, hint: rule.fix, path: at };
  if (!locate) return diagnostic;
  let location: SourceLocation | undefined;
  return Object.defineProperty(diagnostic, "location", { enumerable: true, get: () => (location ??= locate(at)) });
}
