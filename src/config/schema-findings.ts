import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import type { Diagnostic } from "./diagnostics.ts";
import { finding, type Placement } from "./finding.ts";
import { isFrozenConfig } from "./frozen-config.ts";
import type { ModelPath } from "./locate.ts";
import { fromPointer, pathText } from "./path-text.ts";
import { deref, gatewaySchema, type SchemaNode } from "./schema.ts";
import { isSecretPath } from "./secret-paths.ts";
import { closest } from "./suggest.ts";

export const INLINE_SECRET_HINT = 'secrets are never written inline; use { env: "NAME" } or { file: "path" }';

const ROOT: SchemaNode = { $ref: "#" };
let ajv: Ajv2020 | undefined;
const validators = new WeakMap<SchemaNode, ValidateFunction>();

/** A validator for one node of the gateway schema (a union branch, or the root); compiled once. */
function validatorFor(node: SchemaNode): ValidateFunction {
  let validate = validators.get(node);
  if (!validate) {
    const schema = gatewaySchema();
    ajv ??= new Ajv2020({ allErrors: true, strict: false, verbose: true });
    if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
    validate = ajv.compile(absolute(node, schema.$id) as object);
    validators.set(node, validate);
  }
  return validate;
}

// A node compiled on its own must name the definitions it uses by the schema's full id.
function absolute(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((child) => absolute(child, id));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    out[key] = key === "$ref" && typeof child === "string" && child.startsWith("#") ? `${id}${child}` : absolute(child, id);
  }
  return out;
}

// Frozen APIs the schema found valid: an item of `apis` is valid or not whatever else the config holds.
const validApis = new WeakSet<object>();

/**
 * Validates a value against the whole gateway schema; every violation, explained and located. A
 * reload of a frozen config validates the APIs it has not seen valid before, with the rest of the
 * config; only when that finds something is the whole config validated again, for the findings.
 */
export function schemaFindings(value: unknown, place: Placement): Diagnostic[] {
  const apis = isFrozenConfig(value) && !Array.isArray(value) ? (value as { apis?: unknown }).apis : undefined;
  if (!Array.isArray(apis) || !isFrozenConfig(apis)) return explainAt(ROOT, value, [], place);
  const unseen = apis.filter((api) => !(isFrozenConfig(api) && validApis.has(api)));
  if (unseen.length < apis.length && validatorFor(ROOT)({ ...(value as object), apis: unseen })) {
    for (const api of unseen) if (isFrozenConfig(api)) validApis.add(api);
    return [];
  }
  const findings = explainAt(ROOT, value, [], place);
  if (findings.length === 0) for (const api of apis) if (isFrozenConfig(api)) validApis.add(api);
  return findings;
}

function explainAt(node: SchemaNode, value: unknown, base: ModelPath, place: Placement): Diagnostic[] {
  const validate = validatorFor(node);
  if (validate(value)) return [];
  return explain([...(validate.errors ?? [])], value, base, place);
}

function explain(errors: ErrorObject[], root: unknown, base: ModelPath, place: Placement): Diagnostic[] {
  // Union errors swallow everything their branches said: explain each union once, by its best branch.
  const unions = errors
    .filter((e) => e.keyword === "anyOf")
    .sort((a, b) => a.instancePath.length - b.instancePath.length);
  const handled: string[] = [];
  const out: Diagnostic[] = [];
  for (const union of unions) {
    if (handled.some((p) => within(union.instancePath, p))) continue;
    handled.push(union.instancePath);
    out.push(...explainUnion(union, [...base, ...fromPointer(union.instancePath, root)], place));
  }
  // A value outside an enum of strings also fails their `type`: the enum finding lists what is allowed, so it alone is said.
  const enums = new Set(errors.filter((e) => e.keyword === "enum").map((e) => e.instancePath));
  for (const error of errors) {
    if (handled.some((p) => within(error.instancePath, p)) || error.keyword === "propertyNames") continue;
    if (error.keyword === "type" && enums.has(error.instancePath)) continue;
    const path = [...base, ...fromPointer(error.instancePath, root)];
    out.push(error.propertyName === undefined ? explainOne(error, path, place) : explainKey(error, error.propertyName, path, place));
  }
  return out;
}

/** A property name that breaks the object's `propertyNames` rule (a version name, a claim name). */
function explainKey(error: ErrorObject, name: string, path: ModelPath, place: Placement): Diagnostic {
  const where = pathText(path);
  const at = { at: "key" as const };
  if (error.keyword === "minLength") return finding(place, "PCL2007", `${where} has an entry with an empty name`, [...path, name], { ...at, hint: "give the entry a name" });
  const pattern = String((error.params as Record<string, unknown>)["pattern"]);
  return finding(place, "PCL2005", `${JSON.stringify(name)} is not a valid name in ${where}`, [...path, name], { ...at, hint: PATTERN_HINTS[pattern] ?? `it must match ${pattern}` });
}

function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function explainUnion(error: ErrorObject, path: ModelPath, place: Placement): Diagnostic[] {
  const data: unknown = error.data;
  const written = error.schema as SchemaNode[];
  const branches = written.map(deref);
  // A string (or a number: a PIN, an account key) where a secret reference belongs is the secret itself.
  if ((error.parentSchema as SchemaNode | undefined)?.["title"] === "SecretRef" && (typeof data === "string" || typeof data === "number")) {
    return [finding(place, "PCL3010", `${pathText(path)} is a secret written inline`, path, { hint: INLINE_SECRET_HINT })];
  }
  const isObject = data !== null && typeof data === "object" && !Array.isArray(data);
  const objectBranches = branches.filter((b) => b.type === "object");
  if (!isObject || objectBranches.length === 0) {
    const accepted = branches.filter((b) => acceptsType(b, data));
    if (accepted.length === 0) {
      const wanted = [...new Set(branches.map(typeName))].join(" or ");
      return [finding(place, "PCL2003", `${pathText(path)} must be ${wanted}, not ${valueKind(data, path)}`, path)];
    }
    return bestBranch(accepted.map((b) => written[branches.indexOf(b)]), data, path, place);
  }
  const record = data as Record<string, unknown>;
  const tags = discriminator(objectBranches);
  if (tags) {
    const tag = record["type"];
    const index = branches.findIndex((b) => tagValues(b).includes(tag));
    const chosen = written[index];
    if (chosen) return explainAt(chosen, data, path, place);
    if (tag === undefined) {
      return [finding(place, "PCL2002", `${pathText(path)} is missing 'type'`, path, { hint: `set type to one of: ${tags.join(", ")}` })];
    }
    const near = typeof tag === "string" ? closest(tag, tags) : undefined;
    return [
      // The tag may be any value, including a list of prototype-free objects that String() cannot print.
      finding(place, "PCL2004", `${typeof tag === "string" ? `'${tag}'` : valueKind(tag, [...path, "type"])} is not a valid type for ${pathText(path)}`, [...path, "type"], {
        hint: near ? `did you mean '${near}'? (one of: ${tags.join(", ")})` : `use one of: ${tags.join(", ")}`,
      }),
    ];
  }
  // Shapes told apart by which keys they require: pick the shapes whose keys the value uses.
  const keyed = branches
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => b.type === "object" && (b.required ?? []).some((k) => k in record));
  if (keyed.length === 0) {
    const options = objectBranches.map((b) => (b.required ?? []).map((k) => `'${k}'`).join(" + ")).filter(Boolean);
    const known = objectBranches.flatMap((b) => Object.keys(b.properties ?? {}));
    const misspelt = Object.keys(record).map((k) => [k, closest(k, known)] as const).find(([, near]) => near);
    const hint = misspelt ? `'${misspelt[0]}' is not known here: did you mean '${misspelt[1]}'?` : describe(branches);
    return [finding(place, "PCL2002", `${pathText(path)} needs one of ${options.join(" or ")}`, path, { hint })];
  }
  const exclusive = exclusiveKeys(keyed.map(({ b }) => b), record);
  if (exclusive) {
    const [first, second] = exclusive;
    return [finding(place, "PCL3039", `${pathText(path)} sets both '${first.key}' and '${second.key}', which exclude each other`, [...path, second.key], {
      at: "key",
      hint: `keep one: '${first.key}' (${first.doc}) or '${second.key}' (${second.doc})`,
    })];
  }
  return bestBranch(keyed.map(({ i }) => written[i]), data, path, place);
}

/**
 * The required keys of two shapes that are both written although neither shape allows the other's
 * (`allow` and `public` of an access rule), in the order written, with what each one means.
 */
function exclusiveKeys(branches: SchemaNode[], record: Record<string, unknown>): [{ key: string; doc: string }, { key: string; doc: string }] | undefined {
  if (branches.length < 2 || branches.some((b) => b.additionalProperties !== false)) return undefined;
  const keys = branches.map((b) => ({ b, key: (b.required ?? []).find((k) => k in record) }));
  const known = (b: SchemaNode, key: string) => key in (b.properties ?? {});
  const clashing = keys.filter(({ b }) => keys.some((other) => other.key !== undefined && !known(b, other.key)));
  if (clashing.length < 2) return undefined;
  const ordered = clashing
    .map(({ b, key }) => ({ key: key!, doc: firstSentence(b.properties?.[key!]?.description ?? "").replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase()) }))
    .sort((a, b) => Object.keys(record).indexOf(a.key) - Object.keys(record).indexOf(b.key));
  return [ordered[0]!, ordered[1]!];
}

function bestBranch(candidates: (SchemaNode | undefined)[], data: unknown, path: ModelPath, place: Placement): Diagnostic[] {
  let best: Diagnostic[] | undefined;
  for (const candidate of candidates) {
    if (!candidate) continue;
    const found = explainAt(candidate, data, path, place);
    if (!best || found.length < best.length) best = found;
  }
  return best ?? [];
}

function discriminator(branches: SchemaNode[]): string[] | undefined {
  const all: string[] = [];
  for (const branch of branches) {
    const values = tagValues(branch);
    if (values.length === 0) return undefined;
    all.push(...values.map(String));
  }
  return all;
}

function tagValues(branch: SchemaNode): unknown[] {
  const type = branch.properties?.["type"];
  if (!type || !(branch.required ?? []).includes("type")) return [];
  if (type.const !== undefined) return [type.const];
  return [...(type.enum ?? [])];
}

function acceptsType(branch: SchemaNode, data: unknown): boolean {
  const types = branch.type === undefined ? [] : typeof branch.type === "string" ? [branch.type] : branch.type;
  if (types.length === 0) return true;
  return types.some((t) => matchesType(t, data));
}

function matchesType(type: string, data: unknown): boolean {
  switch (type) {
    case "object": return data !== null && typeof data === "object" && !Array.isArray(data);
    case "array": return Array.isArray(data);
    case "integer": return Number.isInteger(data);
    case "null": return data === null;
    default: return typeof data === type;
  }
}

function typeName(node: SchemaNode): string {
  const type = typeof node.type === "string" ? node.type : "a value";
  const names: Record<string, string> = {
    object: "an object", array: "a list", string: "a string", number: "a number", integer: "a whole number", boolean: "true or false",
  };
  if (type === "array") {
    const items = node["items"] as SchemaNode | undefined;
    return items && typeof items.type === "string" ? `a list of ${items.type}s` : "a list";
  }
  return names[type] ?? type;
}

/** The value as a message shows it; never the value itself where a secret may have been pasted. */
function valueKind(data: unknown, path: ModelPath): string {
  if (data === null) return "null";
  if (Array.isArray(data)) return "a list";
  if (typeof data === "object") return "an object";
  if (isSecretPath(path)) return typeof data === "string" ? `a string of ${data.length} characters` : `a ${typeof data}`;
  if (typeof data === "string") return `the string ${JSON.stringify(truncate(data))}`;
  return `${typeof data} ${String(data)}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function describe(branches: SchemaNode[]): string {
  return branches
    .map((b) => `{ ${(b.required ?? []).map((k) => `${k}: ...`).join(", ")} }`)
    .join(" or ");
}

// Patterns written in types.ts, explained in words.
const PATTERN_HINTS: Record<string, string> = {
  "^[a-z][a-z0-9-]{0,62}$": "names start with a lowercase letter and use only a-z, 0-9 and '-' (at most 63 characters)",
  "^(?=[0-9]*[1-9])([0-9]{1,12}ms|[0-9]{1,10}s|[0-9]{1,9}m|[0-9]{1,7}h)$": 'write a duration above zero such as "250ms", "5s", "2m" or "1h" (a timeout cannot be switched off)',
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": 'write a date as YYYY-MM-DD, e.g. "2026-06-30"',
  "^/[A-Za-z0-9._~/-]*$": "start with '/' and use only letters, digits and . _ ~ / -",
  "^[A-Za-z_][A-Za-z0-9_]*$": "environment variable names use letters, digits and '_' and do not start with a digit",
  "^/": "start the path with '/', e.g. \"/healthz\"",
  "^[A-Za-z0-9][A-Za-z0-9._~-]{0,62}$": "a version name is one path segment: letters, digits and . _ ~ -, starting with a letter or digit (e.g. v1, 2026-01)",
};

function explainOne(error: ErrorObject, path: ModelPath, place: Placement): Diagnostic {
  const where = pathText(path);
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as SchemaNode | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const name = String(params["additionalProperty"]);
      const known = Object.keys(parent?.properties ?? {});
      const near = closest(name, known);
      return finding(place, "PCL2001", `unknown property '${name}' in ${where}`, [...path, name], {
        at: "key",
        hint: near ? `did you mean '${near}'?` : `allowed here: ${known.join(", ")}`,
      });
    }
    case "required": {
      const name = String(params["missingProperty"]);
      const doc = parent?.properties?.[name]?.description;
      return finding(place, "PCL2002", `${where} is missing required property '${name}'`, path, {
        at: "key",
        hint: doc ? `add '${name}': ${firstSentence(doc)}` : `add '${name}'`,
      });
    }
    case "type": {
      // Say what to write: the value's pattern in words, or an example from the docs.
      const example = (parent?.["examples"] as unknown[] | undefined)?.[0];
      const hint = (typeof parent?.pattern === "string" ? PATTERN_HINTS[parent.pattern] : undefined) ?? (example !== undefined && !isSecretPath(path) ? `for example ${JSON.stringify(example)}` : undefined);
      return finding(place, "PCL2003", `${where} must be ${typeName({ type: String(params["type"]) })}, not ${valueKind(error.data, path)}`, path, { hint });
    }
    case "enum":
    case "const": {
      const allowed = (error.keyword === "enum" ? (params["allowedValues"] as unknown[]) : [params["allowedValue"]]).map(String);
      const near = typeof error.data === "string" ? closest(error.data, allowed) : undefined;
      return finding(place, "PCL2004", `${valueKind(error.data, path)} is not allowed for ${where}`, path, {
        hint: near ? `did you mean '${near}'? (one of: ${allowed.join(", ")})` : `use one of: ${allowed.join(", ")}`,
      });
    }
    case "pattern": {
      const pattern = String(params["pattern"]);
      const pasted = isSecretPath(path) ? "; if this is the secret itself, keep it out of the config: put it in an environment variable or a file and name that here" : "";
      return finding(place, "PCL2005", `${valueKind(error.data, path)} is not a valid value for ${where}`, path, {
        hint: `${PATTERN_HINTS[pattern] ?? `it must match ${pattern}`}${pasted}`,
      });
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return finding(place, "PCL2006", `${where} is ${String(error.data)}, but it ${error.message ?? "is out of range"}`, path, { hint: rangeHint(parent) });
    case "minItems":
      return finding(place, "PCL2007", `${where} needs at least ${String(params["limit"])} item(s)`, path);
    case "minLength":
      // One character: Envoy needs the text (a claim name, a file path); longer minimums are reasons.
      return params["limit"] === 1
        ? finding(place, "PCL2007", `${where} is empty`, path, { hint: "write a value, or leave the property out to use its default" })
        : finding(place, "PCL2007", `${where} must be at least ${String(params["limit"])} characters long`, path, { hint: "say why in a full sentence" });
    default:
      return finding(place, "PCL2009", `${where} ${error.message ?? "is invalid"}`, path);
  }
}

/** The largest value of the unsigned 32-bit fields Envoy keeps most counts and limits in. */
const UINT32_MAX = 4_294_967_295;

function rangeHint(node: SchemaNode | undefined): string | undefined {
  const { minimum, maximum } = (node ?? {}) as { minimum?: number; maximum?: number };
  if (minimum === undefined && maximum === undefined) return undefined;
  const range = maximum === undefined ? `${minimum} or more` : minimum === undefined ? `at most ${maximum}` : `from ${minimum} to ${maximum}`;
  return `use a ${node?.type === "integer" ? "whole number" : "number"} ${range}${maximum === UINT32_MAX ? " (Envoy holds it in 32 bits)" : ""}`;
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}
