import { types } from "node:util";
import type { Diagnostic } from "../diagnostics.ts";
import { finding, type Placement } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import { sameItems } from "../../same-items.ts";
import { freezeConfig, isFrozenConfig } from "../frozen-config.ts";
import { pathText } from "../path-text.ts";
import { equalsFrozen, writeFlat } from "./frozen-compare.ts";
import { isPlainPrototype, PLAIN_PROTOTYPE } from "./plain-prototype.ts";

/** Deeper than any real gateway (about a dozen levels), far below what would exhaust the stack. */
export const MAX_DEPTH = 100;

export const NESTING_HINT = "a gateway config is a shallow tree; build it without deep recursion";


/** An empty config object. */
export function plainObject(): Record<string, unknown> {
  return Object.create(PLAIN_PROTOTYPE) as Record<string, unknown>;
}

export interface PlainDataOptions {
  /** Where `value` sits in the config (a part read again on its own): findings and the depth limit count from there. */
  readonly at?: ModelPath;
  /** Freeze every object and list of the copy (registered as frozen config, frozen-config.ts). */
  readonly freeze?: boolean;
  /**
   * With `freeze`: the frozen value read last time at the same place. Every part of the copy equal
   * to its counterpart there is that object, so later stages find what a reload left alone by
   * identity, however much of the file was read again. Lists are matched item by item from the
   * front and, when their lengths differ, from the back (one insertion or removal shares the rest).
   */
  readonly previous?: unknown;
  /**
   * With `freeze`, for a config built whole again on each compile (in code): each item of its
   * sections (an API, a provider) is also kept written out flat, and the next copy compares its
   * items with that instead of reading the frozen objects again (frozen-compare.ts).
   */
  readonly flatItems?: boolean;
}

/** Equal config data, keys in the same order (the order of a section can change what is compiled). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key, index) => key === keysB[index] && sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** The list `items` built against `before`, with the items equal to theirs taken from it; `before` itself when every item is. */
function sharedItems(items: unknown[], before: readonly unknown[]): unknown[] | readonly unknown[] {
  if (items.length !== before.length) {
    // Items after an insertion or removal were built against the wrong counterparts: match them from the back.
    for (let fromEnd = 1; fromEnd <= Math.min(items.length, before.length); fromEnd++) {
      const index = items.length - fromEnd;
      const counterpart = before[before.length - fromEnd];
      if (items[index] === counterpart) continue;
      if (!sameData(items[index], counterpart)) break;
      items[index] = counterpart;
    }
    return items;
  }
  return sameItems(items, before) ? before : items;
}

/** A new config object holding the first `count` entries of `before`, in order. */
function startedFrom(before: Record<string, unknown>, keys: readonly string[], count: number): Record<string, unknown> {
  const out = plainObject();
  for (let index = 0; index < count; index++) out[keys[index]!] = before[keys[index]!];
  return out;
}

/**
 * Copies a config value into plain JSON data — what YAML would have produced — and reports
 * anything that is not (functions, class instances, cycles, NaN, Proxies, getters that throw,
 * nesting beyond MAX_DEPTH). Undefined properties are dropped, as JSON would; keys such as
 * `__proto__` are kept as ordinary data.
 * Objects inherit nothing (PLAIN_PROTOTYPE), so a name looked up in the model (a provider called
 * `constructor`, an identity called `toString`) is only ever found when the user defined it.
 */
export function toPlainData(value: unknown, place: Placement, options: PlainDataOptions = {}): { value: unknown; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const done = options.freeze ? freezeConfig : <T>(node: T) => node;
  const at = options.at ?? [];
  // The keys from the root to the value being copied, and the objects on the way (a cycle comes back to one of them):
  // stacks, not a Set and a link per value, since this runs over every value of a config on each reload.
  const keys: (string | number)[] = [];
  const ancestors: object[] = [];
  const problem = (what: string, hint: string): undefined => {
    const path = [...at, ...keys];
    diagnostics.push(finding(place, "PCL1023", `${pathText(path)} is ${what}, which is not config data`, path, { hint }));
    return undefined;
  };
  // A getter runs user code: one that throws is a finding at its property, not a crash.
  const read = (node: object, key: string | number): unknown => {
    try {
      return (node as Record<string | number, unknown>)[key];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const path = [...at, ...keys, key];
      diagnostics.push(finding(place, "PCL1023", `reading ${pathText(path)} threw: ${message}`, path, { hint: "use a plain value instead of a getter" }));
      return THREW;
    }
  };
  const copyAt = (key: string | number, node: unknown, before: unknown): unknown => {
    // An item of a whole config's sections (an API, a provider) is compared with the last read's written out flat.
    const item = options.freeze === true && options.flatItems === true && at.length === 0 && keys.length === 1;
    // Below the top level a part is small beside the whole (an API, a route), so looking first costs
    // little where it differs and saves building the copy where it does not — most of a reload.
    if (before !== undefined && keys.length > 0 && typeof node === "object" && node !== null && equalsFrozen(node, before, item)) return before;
    keys.push(key);
    const value = node === undefined ? problem("undefined", "remove the empty list item") : copy(node, before);
    keys.pop();
    // Written out now, while its objects are fresh in the cache, rather than on the next reload.
    if (item && value !== before) writeFlat(value);
    return value;
  };
  const copy = (node: unknown, before: unknown): unknown => {
    if (typeof node === "string") return node === before ? before : options.freeze ? ownString(node) : node;
    if (node === null || typeof node === "boolean") return node;
    if (typeof node === "number") return Number.isFinite(node) ? node : problem(String(node), "use a finite number");
    if (typeof node !== "object") return problem(`a ${typeof node}`, "use strings, numbers, booleans, lists and objects only");
    // Before anything else touches it: a Proxy's traps run user code on every look.
    if (types.isProxy(node)) return problem("a Proxy", "export the plain object itself");
    if (ancestors.includes(node)) return problem("a circular reference", "a config is a tree; copy the value instead of referring back to a parent");
    if (at.length + keys.length >= MAX_DEPTH) {
      const path = [...at, ...keys];
      diagnostics.push(finding(place, "PCL1024", `${pathText(path.slice(0, 4))}… is nested more than ${MAX_DEPTH} levels deep`, path, { hint: NESTING_HINT }));
      return undefined;
    }
    if (Array.isArray(node)) {
      ancestors.push(node);
      const counterparts = Array.isArray(before) ? before : undefined;
      const items: unknown[] = [];
      for (let index = 0; index < node.length; index++) {
        const item = read(node, index);
        items.push(item === THREW ? undefined : copyAt(index, item, counterparts?.[index]));
      }
      ancestors.pop();
      const shared = counterparts ? sharedItems(items, counterparts) : items;
      return shared === before ? before : done(shared);
    }
    const prototype: unknown = Object.getPrototypeOf(node);
    if (!isPlainPrototype(prototype)) {
      const kind = (node as { constructor?: { name?: string } }).constructor?.name ?? "object";
      return problem(`a ${kind}`, kind === "Date" ? 'write dates as "YYYY-MM-DD" strings' : "use a plain object literal");
    }
    ancestors.push(node);
    const counterpart = typeof before === "object" && before !== null && !Array.isArray(before) ? (before as Record<string, unknown>) : undefined;
    // While every entry so far is the counterpart's (same key, same place, same value), nothing is built.
    const beforeKeys = counterpart ? Object.keys(counterpart) : [];
    let out = counterpart ? undefined : plainObject();
    let entries = 0;
    for (const key of Object.keys(node)) {
      const child = read(node, key);
      if (child === undefined || child === THREW) continue;
      const value = copyAt(key, child, counterpart?.[key]);
      if (!out) {
        if (beforeKeys[entries] === key && value === counterpart![key]) {
          entries++;
          continue;
        }
        out = startedFrom(counterpart!, beforeKeys, entries);
      }
      // Assigned, not defined: no prototype in the chain has a `__proto__` setter to intercept it.
      out[key] = value;
      entries++;
    }
    ancestors.pop();
    if (!out) return entries === beforeKeys.length ? counterpart : done(startedFrom(counterpart!, beforeKeys, entries));
    return done(out);
  };
  // Only frozen config can be shared: anything else may still change.
  const previous = options.freeze && isFrozenConfig(options.previous) ? options.previous : undefined;
  const result = copy(value, previous);
  return { value: result, diagnostics };
}

/** V8 makes a substring of 13 characters or more a view of the string it was cut from. */
const SHORTEST_SLICE = 13;

/**
 * The string, not a view of the text it was read from: a parser's values are slices of the whole
 * file, and one kept in the config would keep that version of the file alive for as long as the
 * value is shared with later reads. Concatenating and cutting copies the characters.
 */
export function ownString(value: string): string {
  return value.length < SHORTEST_SLICE ? value : `${value} `.slice(0, -1);
}

/** What reading a property that threw gives (its finding is made). */
const THREW = Symbol("threw");
