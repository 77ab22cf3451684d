/**
 * One finding per mistake. A TypeScript config is checked twice — by the TypeScript checker and by
 * the schema — and a value written once may be used in several places, so the same mistake can
 * come back as several findings. This keeps one: the schema's (it names the property by its path,
 * has a stable code and says how to fix it), once for a shared value with its uses listed, and
 * drops what the semantic checks made of a part whose shape is already reported.
 */
import { type Diagnostic, locationText } from "../diagnostics.ts";
import type { Locate, ModelPath } from "../locate.ts";
import { pathText } from "../path-text.ts";

const MAX_USES_LISTED = 6;
const isTypeError = (d: Diagnostic) => d.code === "PCL1020";
/** Findings of the schema stage: shape errors, and secrets written inline (placed by the schema too). */
const isShapeFinding = (d: Diagnostic) => d.code.startsWith("PCL2") || d.code === "PCL3010" || d.code === "PCL3039";
const position = (d: Diagnostic) => (d.location ? locationText(d.location) : undefined);
const startsWith = (path: ModelPath, prefix: ModelPath) => prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);

export interface Merge {
  /** Findings of parsing, type-checking and evaluating. */
  readonly loaded: readonly Diagnostic[];
  /** Findings of validation: the schema's, then the semantic checks'. */
  readonly validated: readonly Diagnostic[];
  /** The evaluated config, to map type errors' positions back to model paths. */
  readonly value: unknown;
  readonly locate: Locate;
}

export function oneFindingPerMistake({ loaded, validated, value, locate }: Merge): Diagnostic[] {
  const shapes = validated.filter(isShapeFinding);
  const checks = validated.filter((d) => !isShapeFinding(d) && !isConsequence(d, shapes));
  const typeErrors = loaded.filter(isTypeError);
  const paths = typeErrors.length > 0 && shapes.length > 0 ? pathsByPosition(value, locate) : new Map<string, ModelPath[]>();
  const sayTheSame = (error: Diagnostic) => (paths.get(position(error) ?? "") ?? []).some((at) => shapes.some((shape) => sameProperty(at, shape.path ?? [])));
  return [...loaded.filter((d) => !isTypeError(d) || !sayTheSame(d)), ...onceForSharedValues(shapes, locate), ...checks];
}

/**
 * A type error at `at` is about the shape finding at `path` when both name the same property, when
 * the type error stops at a property above it (a value written elsewhere: a constant, a spread), or
 * at a key right inside it (a shape told apart by its keys, one of them misspelt).
 */
function sameProperty(at: ModelPath, path: ModelPath): boolean {
  if (at.length === 0) return path.length === 0;
  return startsWith(path, at) || (at.length === path.length + 1 && startsWith(at, path));
}

/**
 * A semantic check that read a part the schema already reports made its finding from a malformed
 * value: the same mistake again. A wrong `type` makes the whole object something else.
 */
function isConsequence(check: Diagnostic, shapes: readonly Diagnostic[]): boolean {
  const path = check.path;
  if (!path) return false;
  return shapes.some((shape) => {
    const at = shape.path ?? [];
    if (at.length > 0 && startsWith(path, at)) return true;
    return at[at.length - 1] === "type" && startsWith(path, at.slice(0, -1));
  });
}

/** Every model path whose key or value is written at a position, keyed `file:line:column`. */
function pathsByPosition(value: unknown, locate: Locate): Map<string, ModelPath[]> {
  const out = new Map<string, ModelPath[]>();
  const visit = (node: unknown, path: ModelPath) => {
    if (path.length > 0) {
      for (const part of ["key", "value"] as const) {
        const location = locate(path, part);
        if (!location) continue;
        const key = locationText(location);
        out.set(key, [...(out.get(key) ?? []), path]);
      }
    }
    if (Array.isArray(node)) {
      for (const [index, child] of node.entries()) visit(child, [...path, index]);
    }
    else if (node !== null && typeof node === "object") for (const [name, child] of Object.entries(node)) visit(child, [...path, name]);
  };
  visit(value, []);
  return out;
}

/**
 * A value written once and used in several places (a shared constant) breaks the schema in each:
 * one finding, at the value, naming every use. The uses are the paths before the part they share.
 */
function onceForSharedValues(shapes: readonly Diagnostic[], locate: Locate): Diagnostic[] {
  const groups = new Map<string, Diagnostic[]>();
  for (const shape of shapes) {
    const key = `${position(shape)} ${shape.code} ${withoutPath(shape)} ${shape.hint ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), shape]);
  }
  return [...groups.values()].map((group) => (group.length === 1 ? group[0]! : sharedValueFinding(group, locate)));
}

/** The message without the model path it names (the path of the property or of its object). */
function withoutPath(finding: Diagnostic): string {
  const path = finding.path ?? [];
  for (let length = path.length; length > 0; length--) {
    const text = pathText(path.slice(0, length));
    if (finding.message.includes(text)) return finding.message.replace(text, "");
  }
  return finding.message;
}

/** Where each finding's path stops being the shared value: the longest prefixes written at distinct places. */
function usesOf(group: readonly Diagnostic[], locate: Locate): ModelPath[] {
  const paths = group.map((d) => d.path ?? []);
  const shortest = Math.min(...paths.map((path) => path.length));
  for (let cut = 0; cut < shortest; cut++) {
    const uses = paths.map((path) => path.slice(0, path.length - cut));
    const places = uses.map((use) => {
      const at = locate(use, "key") ?? locate(use);
      return at ? `${at.line}:${at.column}` : undefined;
    });
    if (places.every((place) => place !== undefined) && new Set(places).size === places.length) return uses;
  }
  return paths;
}

function sharedValueFinding(group: readonly Diagnostic[], locate: Locate): Diagnostic {
  const uses = usesOf(group, locate)
    .map((use, index) => {
      const at = locate(use, "key") ?? locate(use);
      return { d: group[index]!, use, at, text: `${pathText(use)}${at ? ` (line ${at.line})` : ""}` };
    })
    .sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0));
  const [first] = uses;
  // A value made in a loop can have hundreds of uses: the first few say where to look.
  const list = uses.length > MAX_USES_LISTED ? [...uses.slice(0, MAX_USES_LISTED - 1).map((use) => use.text), `${uses.length - MAX_USES_LISTED + 1} more`] : uses.map((use) => use.text);
  return {
    ...first!.d,
    message: `${first!.d.message}; this value is written once and used by ${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`,
  };
}
