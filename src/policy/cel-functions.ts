/**
 * The CEL operators and functions a policy rule may call, with their types: the standard ones and
 * the string extensions (@bufbuild/cel/ext). The checker (cel-check.ts) asks `callType` for the
 * result of each call and reports the ones it does not know or whose arguments do not fit.
 */
import { BOOL, DYN, INT, list, STRING, typeName, type ViewType } from "./view-schema.ts";

const DOUBLE: ViewType = { kind: "double" };
const NUMERIC = new Set(["int", "uint", "double"]);

export const isDyn = (type: ViewType) => type.kind === "dyn";
const isNumeric = (type: ViewType) => NUMERIC.has(type.kind);

/** Whether values of the two types can be compared or mixed (dyn fits everything). */
export function compatible(a: ViewType, b: ViewType): boolean {
  if (isDyn(a) || isDyn(b)) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a.kind === "null" || b.kind === "null") return a.kind === "object" || b.kind === "object" || a.kind === b.kind;
  if (a.kind === "list" && b.kind === "list") return compatible(a.element, b.element);
  if (a.kind === "map" && b.kind === "map") return compatible(a.key, b.key) && compatible(a.value, b.value);
  if (a.kind === "object" && b.kind === "object") return a.name === b.name;
  return a.kind === b.kind;
}

/** The more specific of two compatible types (for list literals, `?:` and accumulators). */
export function join(a: ViewType, b: ViewType): ViewType {
  if (isDyn(a)) return b;
  if (isDyn(b)) return a;
  if (a.kind === "list" && b.kind === "list") return list(join(a.element, b.element));
  return typeName(a) === typeName(b) ? a : DYN;
}

type Signature = (target: ViewType | undefined, args: readonly ViewType[]) => ViewType | undefined;

const is = (type: ViewType | undefined, kind: ViewType["kind"]) => type !== undefined && (type.kind === kind || isDyn(type));
const all = (types: readonly ViewType[], kind: ViewType["kind"]) => types.every((type) => is(type, kind));

/** A string method: `s.name(args...)` with the given argument kinds. */
const stringMethod = (result: ViewType, ...params: ViewType["kind"][][]): Signature => (target, args) =>
  is(target, "string") && params.some((kinds) => kinds.length === args.length && args.every((arg, i) => is(arg, kinds[i]!))) ? result : undefined;

const comparison: Signature = (target, args) => {
  const [a, b] = args;
  if (target || !a || !b) return undefined;
  const orderable = (x: ViewType) => isDyn(x) || isNumeric(x) || x.kind === "string";
  return orderable(a) && orderable(b) && compatible(a, b) ? BOOL : undefined;
};

const arithmetic: Signature = (target, args) => {
  const [a, b] = args;
  if (target || !a || !b || !compatible(a, b)) return undefined;
  if (isDyn(a) || isDyn(b)) return isDyn(a) ? b : a;
  return isNumeric(a) && a.kind === b.kind ? a : undefined;
};

const SIGNATURES: Readonly<Record<string, Signature>> = {
  "_&&_": (t, args) => (!t && all(args, "bool") ? BOOL : undefined),
  "_||_": (t, args) => (!t && all(args, "bool") ? BOOL : undefined),
  "!_": (t, args) => (!t && all(args, "bool") ? BOOL : undefined),
  "@not_strictly_false": (t, args) => (!t && all(args, "bool") ? BOOL : undefined),
  "_==_": (t, [a, b]) => (!t && a && b && compatible(a, b) ? BOOL : undefined),
  "_!=_": (t, [a, b]) => (!t && a && b && compatible(a, b) ? BOOL : undefined),
  "_<_": comparison,
  "_<=_": comparison,
  "_>_": comparison,
  "_>=_": comparison,
  "_+_": (t, args) => {
    const [a, b] = args;
    if (a?.kind === "list" && b?.kind === "list" && compatible(a, b)) return join(a, b);
    if (a && b && is(a, "string") && is(b, "string") && (a.kind === "string" || b.kind === "string")) return STRING;
    return arithmetic(t, args);
  },
  "_-_": arithmetic,
  "_*_": arithmetic,
  "_/_": arithmetic,
  "_%_": (t, args) => (args.every((a) => a.kind !== "double") ? arithmetic(t, args) : undefined),
  "-_": (t, [a]) => (!t && a && (isDyn(a) || a.kind === "int" || a.kind === "double") ? a : undefined),
  "@in": (t, [item, container]) => {
    if (t || !item || !container) return undefined;
    if (isDyn(container)) return BOOL;
    if (container.kind === "list") return compatible(item, container.element) ? BOOL : undefined;
    if (container.kind === "map") return compatible(item, container.key) ? BOOL : undefined;
    return undefined;
  },
  "_[_]": (t, [container, index]) => {
    if (t || !container || !index) return undefined;
    if (isDyn(container)) return DYN;
    if (container.kind === "list") return is(index, "int") || is(index, "uint") ? container.element : undefined;
    if (container.kind === "map") return compatible(index, container.key) ? container.value : undefined;
    return undefined;
  },
  size: (t, args) => {
    const subject = t ?? (args.length === 1 ? args[0] : undefined);
    if (!subject || (t && args.length > 0)) return undefined;
    return isDyn(subject) || ["string", "list", "map", "bytes"].includes(subject.kind) ? INT : undefined;
  },
  contains: stringMethod(BOOL, ["string"]),
  startsWith: stringMethod(BOOL, ["string"]),
  endsWith: stringMethod(BOOL, ["string"]),
  matches: stringMethod(BOOL, ["string"]),
  lowerAscii: stringMethod(STRING, []),
  upperAscii: stringMethod(STRING, []),
  trim: stringMethod(STRING, []),
  indexOf: stringMethod(INT, ["string"], ["string", "int"]),
  lastIndexOf: stringMethod(INT, ["string"], ["string", "int"]),
  replace: stringMethod(STRING, ["string", "string"], ["string", "string", "int"]),
  substring: stringMethod(STRING, ["int"], ["int", "int"]),
  split: stringMethod(list(STRING), ["string"], ["string", "int"]),
  join: (t, args) => (t && (isDyn(t) || (t.kind === "list" && is(t.element, "string"))) && args.length <= 1 && all(args, "string") ? STRING : undefined),
  string: (t, args) => (!t && args.length === 1 ? STRING : undefined),
  int: (t, [a, ...rest]) => (!t && a && rest.length === 0 && (isDyn(a) || isNumeric(a) || a.kind === "string") ? INT : undefined),
  double: (t, [a, ...rest]) => (!t && a && rest.length === 0 && (isDyn(a) || isNumeric(a) || a.kind === "string") ? DOUBLE : undefined),
  dyn: (t, args) => (!t && args.length === 1 ? DYN : undefined),
};

/** The result type of calling `name`, or why the call does not fit. */
export function callType(name: string, target: ViewType | undefined, args: readonly ViewType[]): { type: ViewType } | { error: string } {
  if (name === "_?_:_") {
    const [condition, then, otherwise] = args;
    if (!condition || !then || !otherwise || !is(condition, "bool")) return { error: "the condition of ?: must be a bool" };
    if (!compatible(then, otherwise)) return { error: `the branches of ?: have different types (${typeName(then)}, ${typeName(otherwise)})` };
    return { type: join(then, otherwise) };
  }
  const signature = SIGNATURES[name];
  const shown = name.replace(/^_(.+)_$/, "$1").replace(/^@/, "").replace(/_$/, "");
  if (!signature) return { error: `unknown function '${shown}'` };
  const type = signature(target, args);
  if (type) return { type };
  const types = [...(target ? [`${typeName(target)}.`] : []), `(${args.map(typeName).join(", ")})`].join("");
  return { error: `'${shown}' does not take ${types}` };
}
