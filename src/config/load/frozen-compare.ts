/**
 * Whether a part of a config built again (in code, or read again from a file) equals the frozen
 * part of the last read at its place (toPlainData's `previous`, plain-data.ts): plain data, equal,
 * keys in the same order. An item of a whole config's sections (an API, a provider) is compared
 * with its last read written out flat — its keys, values and the shape around them in one array
 * — since reading the last read's objects again, scattered in the old heap, cost most of a
 * comparison; the fresh side is read as it was built.
 */
import { types } from "node:util";
import { isPlainPrototype } from "./plain-prototype.ts";

/**
 * Whether copying `node` against `before` (frozen config) would give `before` itself and no
 * finding: plain data, equal, keys in the same order. Reads without building anything; a getter
 * that throws, a Proxy or anything else the copy would report makes it false, and the copy
 * then goes through the part and reports it.
 */
export function equalsFrozen(node: object, before: unknown, flat: boolean): boolean {
  try {
    if (node === before) return true;
    if (!flat || typeof before !== "object" || before === null) return sameValue(node, before);
    const form = flatForms.get(before) ?? writeFlat(before);
    return sameAsFlat(node, form, 0) === form.length;
  } catch {
    return false;
  }
}

const OBJECT = Symbol("object");
const END = Symbol("end");
const LIST = Symbol("list");

/** Frozen items of a config's sections (APIs, providers, ...) written out: compared against without reading their objects. */
const flatForms = new WeakMap<object, readonly unknown[]>();

/** Writes out a frozen section item for the next comparison with it; a value that is no object has nothing to write. */
export function writeFlat(value: unknown): readonly unknown[] {
  const form = flatten(value, []);
  if (typeof value === "object" && value !== null) flatForms.set(value, form);
  return form;
}

function flatten(value: unknown, out: unknown[]): unknown[] {
  if (typeof value !== "object" || value === null) {
    out.push(value);
  } else if (Array.isArray(value)) {
    out.push(LIST, value.length);
    for (const item of value) flatten(item, out);
  } else {
    out.push(OBJECT);
    for (const key in value) {
      out.push(key);
      flatten((value as Record<string, unknown>)[key], out);
    }
    out.push(END);
  }
  return out;
}

/** Where `node` stops reading as `form` does from `at` on: the index after it, or -1 where it differs. */
function sameAsFlat(node: unknown, form: readonly unknown[], at: number): number {
  const expected = form[at++];
  if (node === expected) return at;
  if (typeof node !== "object" || node === null || types.isProxy(node)) return -1;
  if (Array.isArray(node)) {
    if (expected !== LIST || form[at++] !== node.length) return -1;
    for (let index = 0; index < node.length && at >= 0; index++) at = sameAsFlat(node[index], form, at);
    return at;
  }
  if (expected !== OBJECT || !isPlainPrototype(Object.getPrototypeOf(node))) return -1;
  for (const key in node) {
    if (form[at++] !== key) return -1;
    at = sameAsFlat((node as Record<string, unknown>)[key], form, at);
    if (at < 0) return -1;
  }
  return form[at] === END ? at + 1 : -1;
}

function sameValue(node: unknown, before: unknown): boolean {
  if (node === before) return true;
  if (typeof node !== "object" || node === null || typeof before !== "object" || before === null || types.isProxy(node)) return false;
  if (Array.isArray(node)) {
    if (!Array.isArray(before) || node.length !== before.length) return false;
    for (let index = 0; index < node.length; index++) if (!sameValue(node[index], before[index])) return false;
    return true;
  }
  if (Array.isArray(before) || !isPlainPrototype(Object.getPrototypeOf(node))) return false;
  const beforeKeys = Object.keys(before);
  let index = 0;
  // for-in lists an object's own keys as Object.keys does, then inherited enumerable ones (none on a
  // plain object unless Object.prototype was polluted: then this says no, and the copy looks), and
  // builds no array: this runs for every object of a config built in code.
  for (const key in node) {
    if (key !== beforeKeys[index++] || !sameValue((node as Record<string, unknown>)[key], (before as Record<string, unknown>)[key])) return false;
  }
  return index === beforeKeys.length;
}
