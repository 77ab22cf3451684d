/**
 * A static type checker for rule expressions. @bufbuild/cel parses and evaluates CEL but its own
 * checker knows only constants and identifiers, so this one walks the parsed expression against
 * the view's types (view-schema.ts): a misspelt field, a comparison of a list with a string or a
 * rule that is not a bool is reported when the pack loads, at the offending part of the expression.
 */
import type { parse } from "@bufbuild/cel";
import { closest } from "../config/suggest.ts";
import { callType, compatible, isDyn, join } from "./cel-functions.ts";
import { BOOL, DYN, INT, list, STRING, typeName, VIEW_OBJECTS, type ViewType } from "./view-schema.ts";

export type Expr = NonNullable<ReturnType<typeof parse>["expr"]>;

/** A type error at one node of the expression (its id locates it through the parse's source info). */
export class CelTypeError extends Error {
  readonly exprId: bigint;

  constructor(message: string, exprId: bigint) {
    super(message);
    this.exprId = exprId;
  }
}

type Scope = ReadonlyMap<string, ViewType>;

const CONSTANT_TYPES: Readonly<Record<string, ViewType>> = {
  boolValue: BOOL,
  int64Value: INT,
  uint64Value: { kind: "uint" },
  doubleValue: { kind: "double" },
  stringValue: STRING,
  bytesValue: { kind: "bytes" },
  nullValue: { kind: "null" },
};

/** The type of `expr` with `variables` in scope; throws CelTypeError where it does not type-check. */
export function typeOf(expr: Expr, variables: Scope): ViewType {
  const fail = (message: string): never => {
    throw new CelTypeError(message, expr.id);
  };
  const kind = expr.exprKind;
  switch (kind.case) {
    case "constExpr":
      return CONSTANT_TYPES[kind.value.constantKind.case ?? ""] ?? fail("unsupported constant");
    case "identExpr": {
      const type = variables.get(kind.value.name);
      if (type) return type;
      const near = closest(kind.value.name, [...variables.keys()].filter((name) => !name.startsWith("@")));
      return fail(`unknown name '${kind.value.name}'${near ? `; did you mean '${near}'?` : ""}`);
    }
    case "selectExpr": {
      const operand = typeOf(kind.value.operand!, variables);
      const type = fieldType(operand, kind.value.field, fail);
      return kind.value.testOnly ? BOOL : type;
    }
    case "callExpr": {
      const target = kind.value.target ? typeOf(kind.value.target, variables) : undefined;
      const args = kind.value.args.map((arg) => typeOf(arg, variables));
      const result = callType(kind.value.function, target, args);
      return "type" in result ? result.type : fail(result.error);
    }
    case "listExpr":
      return list(kind.value.elements.map((element) => typeOf(element, variables)).reduce(joinOrFail(fail), DYN));
    case "structExpr": {
      if (kind.value.messageName) return fail(`messages cannot be created in a rule ('${kind.value.messageName}')`);
      let key: ViewType = DYN;
      let value: ViewType = DYN;
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case !== "mapKey") return fail("a map literal needs keys");
        key = joinOrFail(fail)(key, typeOf(entry.keyKind.value, variables));
        value = joinOrFail(fail)(value, typeOf(entry.value!, variables));
      }
      return { kind: "map", key, value };
    }
    case "comprehensionExpr":
      return comprehensionType(kind.value, variables, fail);
    default:
      return fail("unsupported expression");
  }
}

const joinOrFail = (fail: (message: string) => never) => (a: ViewType, b: ViewType): ViewType =>
  compatible(a, b) ? join(a, b) : fail(`a list or map mixes ${typeName(a)} and ${typeName(b)}`);

function fieldType(operand: ViewType, field: string, fail: (message: string) => never): ViewType {
  if (isDyn(operand)) return DYN;
  if (operand.kind === "map") return compatible(operand.key, STRING) ? operand.value : fail(`map keys are ${typeName(operand.key)}, not field names`);
  if (operand.kind !== "object") return fail(`${typeName(operand)} has no field '${field}'`);
  const spec = VIEW_OBJECTS[operand.name]?.fields[field];
  if (spec) return spec.type;
  const near = closest(field, Object.keys(VIEW_OBJECTS[operand.name]?.fields ?? {}));
  return fail(`${operand.name} has no field '${field}'${near ? `; did you mean '${near}'?` : ""}`);
}

type Comprehension = Extract<Expr["exprKind"], { case: "comprehensionExpr" }>["value"];

/** exists/all/exists_one/map/filter are expanded by the parser into comprehensions; type them generically. */
function comprehensionType(c: Comprehension, variables: Scope, fail: (message: string) => never): ViewType {
  const range = typeOf(c.iterRange!, variables);
  let first: ViewType;
  let second: ViewType;
  if (isDyn(range)) [first, second] = [DYN, DYN];
  else if (range.kind === "list") [first, second] = c.iterVar2 ? [INT, range.element] : [range.element, DYN];
  else if (range.kind === "map") [first, second] = [range.key, range.value];
  else return fail(`${typeName(range)} cannot be iterated; a list or map is needed`);
  const iteration = new Map(variables);
  iteration.set(c.iterVar, first);
  if (c.iterVar2) iteration.set(c.iterVar2, second);
  let accumulator = typeOf(c.accuInit!, variables);
  const withAccumulator = (type: ViewType) => new Map(iteration).set(c.accuVar, type);
  // map() and filter() start from [] (a list of dyn): the step says what the list really holds.
  const step = stepType(c.loopStep!, withAccumulator(accumulator), accumulator);
  if (!compatible(step, accumulator)) fail(`the step of this macro is ${typeName(step)}, not ${typeName(accumulator)}`);
  if (typeName(join(accumulator, step)) !== typeName(accumulator)) {
    accumulator = join(accumulator, step);
    typeOf(c.loopStep!, withAccumulator(accumulator));
  }
  const condition = typeOf(c.loopCondition!, withAccumulator(accumulator));
  if (condition.kind !== "bool" && !isDyn(condition)) fail("the loop condition must be a bool");
  return typeOf(c.result!, new Map(variables).set(c.accuVar, accumulator));
}

/** exists() and all() fold their condition into a bool with || and &&: a condition that is not a bool is said so. */
function stepType(step: Expr, variables: Scope, accumulator: ViewType): ViewType {
  try {
    return typeOf(step, variables);
  } catch (error) {
    if (error instanceof CelTypeError && accumulator.kind === "bool" && /^'(\|\||&&)'/.test(error.message)) throw new CelTypeError("the condition of exists() or all() must be a bool", error.exprId);
    throw error;
  }
}
