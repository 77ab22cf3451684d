/**
 * Compiles a pack's rules: the id must fit the scheme, `when` must parse and type-check to a bool
 * over the policy view, and each `{placeholder}` of the message must name a field of it. A rule that
 * does not compile is a located error in the pack file (its line and column inside the expression).
 */
import { celEnv, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { Diagnostic, SourceLocation } from "../config/diagnostics.ts";
import { locateNearest } from "../config/locate.ts";
import { CelTypeError, typeOf, type Expr } from "./cel-check.ts";
import { BUILT_IN_PREFIX, RULE_ID, type PolicyCode } from "./codes.ts";
import type { PackFile, PackRule } from "./pack-file.ts";
import { ruleVariables, typeName, type ViewType } from "./view-schema.ts";

const env = celEnv({ funcs: strings });

/** What a rule's expression and message are evaluated with. */
export type Bindings = Readonly<Record<string, unknown>>;

export interface CompiledRule extends PackRule {
  readonly pack: string;
  readonly file: string;
  /** Where the rule is written (its id) and where its expression is. */
  readonly location: SourceLocation;
  readonly whenLocation: SourceLocation;
  /** True where the rule finds a problem; anything else (an error value) is the rule failing. */
  readonly evaluate: (bindings: Bindings) => unknown;
  readonly render: (bindings: Bindings) => string;
}

type Fail = (code: PolicyCode, message: string, hint: string, location?: SourceLocation) => void;

/** Compiles every rule of `pack`; `builtIn` packs own the `PCL-` prefix. */
export function compilePack(pack: PackFile, builtIn: boolean): { rules: CompiledRule[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const rules = pack.rules.flatMap((rule) => {
    const at = (key: string) => locateNearest(pack.locate, pack.file, ["rules", rule.index, key]);
    const fail: Fail = (code, message, hint, location) =>
      diagnostics.push({ code, severity: "error", message: `rule ${rule.id}: ${message}`, hint, location: location ?? at("when") });
    const compiled = compileRule(pack, rule, builtIn, at, fail);
    return compiled ? [compiled] : [];
  });
  return { rules, diagnostics };
}

function compileRule(pack: PackFile, rule: PackRule, builtIn: boolean, at: (key: string) => SourceLocation, fail: Fail): CompiledRule | undefined {
  if (!RULE_ID.test(rule.id)) {
    fail("PCL5005", `'${rule.id}' is not a rule id`, "write an upper-case prefix, optional parts and a number, e.g. ACME-001 or ACME-SEC-001", at("id"));
    return undefined;
  }
  if (builtIn !== rule.id.startsWith(BUILT_IN_PREFIX)) {
    fail("PCL5005", builtIn ? "built-in rules are PCL-<PACK>-<nnn>" : "the PCL- prefix is reserved for Portcullis's built-in rules", "choose a prefix of your own, e.g. ACME-001", at("id"));
    return undefined;
  }
  const variables = ruleVariables(rule.subject);
  const whenLocation = at("when");
  const place = (offset: number) => expressionLocation(pack.text, whenLocation, rule.when, offset);
  const parsed = parseExpression(rule.when, place, fail);
  if (!parsed) return undefined;
  try {
    const type = typeOf(parsed.expr, variables);
    if (type.kind !== "bool" && type.kind !== "dyn") {
      fail("PCL5004", `'when' is ${typeName(type)}, but must be a bool (true where the rule finds a problem)`, "compare it, e.g. size(x) > 0", place(0));
      return undefined;
    }
  } catch (error) {
    if (!(error instanceof CelTypeError)) throw error;
    const offset = Number(parsed.sourceInfo?.positions[error.exprId.toString()] ?? 0);
    fail("PCL5004", error.message, `the fields each object has are listed in policies/README.md (for: ${rule.subject})`, place(offset));
    return undefined;
  }
  const render = compileMessage(rule.message, variables, (message) => fail("PCL5004", message, "a placeholder is {variable.field...}, e.g. {route.id}", at("message")));
  if (!render) return undefined;
  const evaluate = plan(env, parsed) as (bindings: Bindings) => unknown;
  return { ...rule, pack: pack.name, file: pack.file, location: at("id"), whenLocation, evaluate, render };
}

function parseExpression(text: string, place: (offset: number) => SourceLocation, fail: Fail): ReturnType<typeof parse> | undefined {
  try {
    return parse(text);
  } catch (error) {
    const start = (error as { location?: { start?: { offset?: number } } }).location?.start?.offset;
    const message = error instanceof Error ? error.message.replace(/^<input>:\d+:\d+: /, "") : String(error);
    fail("PCL5003", `'when' does not parse: ${message}`, "check the CEL syntax at this position (https://cel.dev)", place(start ?? 0));
    return undefined;
  }
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const RENDERABLE = new Set(["string", "int", "uint", "double", "bool", "dyn"]);

/** The message with `{a.b.c}` replaced by that field's value (lists joined by ", "); undefined after reporting a bad placeholder. */
function compileMessage(message: string, variables: ReadonlyMap<string, ViewType>, fail: (message: string) => void): ((bindings: Bindings) => string) | undefined {
  const paths: string[][] = [];
  for (const [, inner] of message.matchAll(PLACEHOLDER)) {
    const text = (inner ?? "").trim();
    let expr: Expr | undefined;
    try {
      expr = parse(text).expr;
    } catch {
      expr = undefined;
    }
    const path = expr ? selectPath(expr) : undefined;
    if (!expr || !path) {
      fail(`message placeholder {${inner}} is not a field path`);
      return undefined;
    }
    try {
      const type = typeOf(expr, variables);
      const shown = type.kind === "list" ? type.element : type;
      if (!RENDERABLE.has(shown.kind)) throw new CelTypeError(`{${text}} is ${typeName(type)}, which a message cannot show; name one of its fields`, 0n);
    } catch (error) {
      if (!(error instanceof CelTypeError)) throw error;
      fail(`message placeholder {${text}}: ${error.message}`);
      return undefined;
    }
    paths.push(path);
  }
  return (bindings) => {
    let next = 0;
    return message.replace(PLACEHOLDER, () => show(paths[next++]!.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], bindings)));
  };
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.map(show).join(", ");
  return value === undefined ? "" : String(value);
}

/** `a.b.c` as ["a", "b", "c"]; undefined for anything but identifiers and field selections. */
function selectPath(expr: Expr): string[] | undefined {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") return [kind.value.name];
  if (kind.case !== "selectExpr" || kind.value.testOnly || !kind.value.operand) return undefined;
  const operand = selectPath(kind.value.operand);
  return operand ? [...operand, kind.value.field] : undefined;
}

/**
 * Where offset `offset` of the expression is in the pack file. The expression is a YAML scalar
 * starting at `start`: a block scalar (`|`) has its lines below, indented; other scalars start on
 * that line (after a quote). Where the text cannot be found as written, the scalar's start.
 */
export function expressionLocation(text: string, start: SourceLocation, expression: string, offset: number): SourceLocation {
  const before = expression.slice(0, offset);
  const line = before.split("\n").length - 1;
  const column = offset - (before.lastIndexOf("\n") + 1);
  const source = text.split(/\r?\n/);
  const exprLine = expression.split("\n")[line] ?? "";
  const scalarLine = source[start.line - 1] ?? "";
  const block = /^[|>]/.test(scalarLine.slice(start.column - 1));
  const sourceLineNumber = block ? start.line + 1 + line : start.line + line;
  const sourceLine = source[sourceLineNumber - 1] ?? "";
  const from = sourceLineNumber === start.line ? start.column - 1 : 0;
  const found = sourceLine.indexOf(exprLine, from);
  if (found < 0 || (!block && line > 0)) return start;
  return { file: start.file, line: sourceLineNumber, column: found + column + 1 };
}
