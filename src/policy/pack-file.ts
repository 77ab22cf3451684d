/**
 * A rule pack file (YAML) → its rules as written, each value checked for shape; every mistake is
 * a located PCL5002 in the pack file. Expressions are compiled afterwards (pack-compile.ts).
 */
import type { Diagnostic } from "../config/diagnostics.ts";
import { parseYaml } from "../config/load/yaml.ts";
import { locateNearest, type Locate, type ModelPath } from "../config/locate.ts";
import { closest } from "../config/suggest.ts";
import { SUBJECTS, type SubjectKind } from "./view-schema.ts";

export type RuleSeverity = "error" | "warning" | "off";

/** One rule as written in a pack. */
export interface PackRule {
  /** Its position in the pack's `rules` list. */
  readonly index: number;
  readonly id: string;
  readonly title: string;
  readonly severity: RuleSeverity;
  readonly subject: SubjectKind;
  readonly when: string;
  readonly message: string;
  readonly rationale: string;
  readonly fix: string;
  /** A config key under the subject to place findings at (`access`, `tls`, `cors.credentials`). */
  readonly at?: string;
  /** Compile codes that report the same problem earlier: where one did, this rule stays silent. */
  readonly covers: readonly string[];
}

export interface PackFile {
  readonly file: string;
  readonly text: string;
  readonly name: string;
  readonly rules: readonly PackRule[];
  readonly locate: Locate;
}

const PACK_KEYS = ["pack", "description", "rules"];
const TEXT_KEYS = ["id", "title", "when", "message", "rationale", "fix"] as const;
const RULE_KEYS = [...TEXT_KEYS, "severity", "for", "at", "covers"];
const SEVERITIES: readonly string[] = ["error", "warning", "off"];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses and shape-checks a pack; `pack` is absent when anything is wrong. */
export function readPack(file: string, text: string): { pack?: PackFile; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(file, text, "yaml");
  const diagnostics: Diagnostic[] = parsed.diagnostics.map((d) => ({ ...d, code: "PCL5002", message: `policy pack: ${d.message}` }));
  if (diagnostics.length > 0) return { diagnostics };
  const problem = (message: string, path: ModelPath, hint: string, part?: "key") => {
    diagnostics.push({ code: "PCL5002", severity: "error", message, hint, path: [...path], location: locateNearest(parsed.locate, file, path, part) });
  };
  const value = parsed.value;
  if (!isRecord(value)) {
    problem("a policy pack is a mapping with pack, description and rules", [], "start the file with `pack: <name>` and a `rules:` list");
    return { diagnostics };
  }
  unknownKeys(value, PACK_KEYS, [], problem);
  if (typeof value["pack"] !== "string" || !/^[a-z][a-z0-9-]*$/.test(value["pack"])) problem("the pack needs a name: lowercase letters, digits and dashes", ["pack"], "write e.g. `pack: shop-rules`");
  const rules = value["rules"];
  if (!Array.isArray(rules) || rules.length === 0) problem("the pack has no rules list", ["rules"], "add `rules:` with at least one rule");
  const read = (Array.isArray(rules) ? rules : []).map((rule, index) => readRule(rule, index, problem));
  if (diagnostics.length > 0) return { diagnostics };
  return { pack: { file, text, name: value["pack"] as string, rules: read as PackRule[], locate: parsed.locate }, diagnostics };
}

type Problem = (message: string, path: ModelPath, hint: string, part?: "key") => void;

function unknownKeys(value: Record<string, unknown>, known: readonly string[], path: ModelPath, problem: Problem): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    problem(`unknown key '${key}'`, [...path, key], near ? `did you mean '${near}'?` : `known keys: ${known.join(", ")}`, "key");
  }
}

function readRule(rule: unknown, index: number, problem: Problem): PackRule | undefined {
  const path = ["rules", index];
  if (!isRecord(rule)) {
    problem("a rule is a mapping (id, title, severity, for, when, message, rationale, fix)", path, "write the rule's keys under its `-`");
    return undefined;
  }
  unknownKeys(rule, RULE_KEYS, path, problem);
  let ok = true;
  for (const key of TEXT_KEYS) {
    const text = rule[key];
    if (typeof text !== "string" || text.trim() === "") {
      problem(`the rule needs '${key}' as text`, [...path, key], key === "when" ? "a CEL expression over the policy view that is true where the rule finds a problem" : `write the rule's ${key}`);
      ok = false;
    }
  }
  const severity = rule["severity"];
  if (typeof severity !== "string" || !SEVERITIES.includes(severity)) {
    problem("the rule's severity must be error, warning or off", [...path, "severity"], "off keeps the rule for users who turn it on with policy.rules");
    ok = false;
  }
  const subject = rule["for"];
  if (typeof subject !== "string" || !Object.hasOwn(SUBJECTS, subject)) {
    const near = typeof subject === "string" ? closest(subject, Object.keys(SUBJECTS)) : undefined;
    problem("the rule's 'for' must name what it checks", [...path, "for"], near ? `did you mean '${near}'?` : `one of ${Object.keys(SUBJECTS).join(", ")}`);
    ok = false;
  }
  const at = rule["at"];
  if (at !== undefined && (typeof at !== "string" || !/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(at))) {
    problem("'at' is a config key under the rule's subject, e.g. tls or cors.credentials", [...path, "at"], "write dotted key names");
    ok = false;
  }
  const covers = rule["covers"] ?? [];
  if (!Array.isArray(covers) || !covers.every((code) => typeof code === "string" && /^PCL[1-4][0-9]{3}$/.test(code))) {
    problem("'covers' lists compile codes (PCL1001–PCL4999)", [...path, "covers"], "write e.g. covers: [PCL3017]");
    ok = false;
  }
  if (!ok) return undefined;
  const text = (key: (typeof TEXT_KEYS)[number]) => (rule[key] as string).trim();
  return {
    index,
    id: text("id"),
    title: text("title"),
    severity: severity as RuleSeverity,
    subject: subject as SubjectKind,
    when: rule["when"] as string,
    message: text("message"),
    rationale: text("rationale"),
    fix: text("fix"),
    ...(typeof at === "string" ? { at } : {}),
    covers: covers as string[],
  };
}
