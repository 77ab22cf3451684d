import type { Diagnostic } from "../diagnostics.ts";
import { finding, type Placement } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import { pathText } from "../path-text.ts";

/**
 * Copies a config value into plain JSON data — what YAML would have produced — and reports
 * anything that is not (functions, class instances, cycles, NaN). Undefined properties are
 * dropped, as JSON would; keys such as `__proto__` are kept as ordinary data.
 * Objects have no prototype, so a name looked up in the model (a provider called `constructor`,
 * an identity called `toString`) is only ever found when the user defined it.
 */
export function toPlainData(value: unknown, place: Placement): { value: unknown; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<object>();
  const copy = (node: unknown, path: ModelPath): unknown => {
    const problem = (what: string, hint: string): undefined => {
      diagnostics.push(finding(place, "PCL1023", `${pathText(path)} is ${what}, which is not config data`, path, { hint }));
      return undefined;
    };
    if (node === null || typeof node === "string" || typeof node === "boolean") return node;
    if (typeof node === "number") return Number.isFinite(node) ? node : problem(String(node), "use a finite number");
    if (typeof node !== "object") {
      return problem(`a ${typeof node}`, "use strings, numbers, booleans, lists and objects only");
    }
    if (seen.has(node)) return problem("a circular reference", "a config is a tree; copy the value instead of referring back to a parent");
    if (Array.isArray(node)) {
      seen.add(node);
      const items = node.map((item, index) =>
        item === undefined ? problem("undefined", "remove the empty list item") : copy(item, [...path, index]));
      seen.delete(node);
      return items;
    }
    const prototype: unknown = Object.getPrototypeOf(node);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (node as { constructor?: { name?: string } }).constructor?.name ?? "object";
      return problem(`a ${kind}`, kind === "Date" ? 'write dates as "YYYY-MM-DD" strings' : "use a plain object literal");
    }
    seen.add(node);
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, child] of Object.entries(node)) {
      if (child === undefined) continue;
      Object.defineProperty(out, key, { value: copy(child, [...path, key]), enumerable: true, writable: true, configurable: true });
    }
    seen.delete(node);
    return out;
  };
  const result = copy(value, []);
  return { value: result, diagnostics };
}
