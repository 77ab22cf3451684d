/**
 * A config read again shares with the last read every part that did not change (toPlainData's
 * `previous`, src/config/load/plain-data.ts; the comparison, src/config/load/frozen-compare.ts,
 * by the frozen objects or by the section items written out flat): later stages reuse their work
 * by the identity of those parts, so a false share would compile a stale config and a missed one
 * costs a recompile.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFrozenConfig } from "../../src/config/frozen-config.ts";
import { toPlainData } from "../../src/config/load/plain-data.ts";

const place = { file: "test.yaml", locate: () => undefined };
/** The shape of the configs below (a sketch, not a gateway: sharing does not read the model). */
interface Sketch {
  gateway: unknown;
  apis: { name: string; routes?: { path: string }[] }[];
  x?: unknown;
}
/** A read sharing with `previous`; a config built in code compares its section items written out flat (`flatItems`), a file's read again does not. */
const read = (value: unknown, previous?: unknown, flatItems = true) => toPlainData(value, place, { freeze: true, previous, flatItems }).value as Sketch;

describe("sharing a config read with the one before it", () => {
  const before = read({ gateway: { name: "g" }, apis: [{ name: "a", routes: [{ path: "/x" }, { path: "/y" }] }, { name: "b" }] });

  it("is the last read itself when nothing changed", () => {
    expect(read(structuredClone(before))).not.toBe(before);
    expect(read(structuredClone(before), before)).toBe(before);
  });

  it("shares everything off the path of an edit, and nothing on it", () => {
    const edited = structuredClone(before);
    edited.apis[0]!.routes![1]!.path = "/z";
    const after = read(edited, before);
    expect(after).not.toBe(before);
    expect(after.gateway).toBe(before.gateway);
    expect(after.apis[1]).toBe(before.apis[1]);
    expect(after.apis[0]!.routes![0]).toBe(before.apis[0]!.routes![0]);
    expect(after.apis[0]!.routes![1]).not.toBe(before.apis[0]!.routes![1]);
    expect(after.apis[0]!.routes![1]!.path).toBe("/z");
    for (const node of [after, after.apis, after.apis[0], after.apis[0]!.routes, after.apis[0]!.routes![1]]) expect(isFrozenConfig(node)).toBe(true);
  });

  it("matches list items from the back after an insertion or a removal", () => {
    const inserted = structuredClone(before);
    inserted.apis.unshift({ name: "new" });
    const after = read(inserted, before);
    expect(after.apis[1]).toBe(before.apis[0]);
    expect(after.apis[2]).toBe(before.apis[1]);
    const removed = read({ ...structuredClone(before), apis: [structuredClone(before.apis[1])] }, before);
    expect(removed.apis[0]).toBe(before.apis[1]);
  });

  it("does not share an object whose keys changed order, or a value of another kind", () => {
    const reordered = read({ apis: before.apis, gateway: before.gateway }, before);
    expect(Object.keys(reordered)).toEqual(["apis", "gateway"]);
    expect(reordered).not.toBe(before);
    expect(reordered.gateway).toBe(before.gateway);
    // A string has indexed characters; an object with the same "keys" is still an object.
    const text = read({ x: "ab" });
    const object = read({ x: { 0: "a", 1: "b" } }, text);
    expect(object.x).toEqual({ 0: "a", 1: "b" });
    const list = read({ x: ["a", "b"] }, text);
    expect(list.x).toEqual(["a", "b"]);
  });

  it("compares a part's keys in order below the top level, and a key more or fewer is a difference", () => {
    const [first, second] = structuredClone(before.apis);
    const reordered = read({ gateway: before.gateway, apis: [{ routes: first!.routes, name: first!.name }, second] }, before);
    expect(Object.keys(reordered.apis[0]!)).toEqual(["routes", "name"]);
    expect(reordered.apis[0]).not.toBe(before.apis[0]);
    expect(reordered.apis[0]!.routes).toBe(before.apis[0]!.routes);
    expect(reordered.apis[1]).toBe(before.apis[1]);
    const more = read({ gateway: before.gateway, apis: [first, { ...second, x: 1 }] }, before);
    expect(more.apis[1]).toEqual({ name: "b", x: 1 });
    expect(more.apis[0]).toBe(before.apis[0]);
    const fewer = read({ gateway: before.gateway, apis: [{ name: "a" }, second] }, before);
    expect(fewer.apis[0]).toEqual({ name: "a" });
  });

  it("shares as much when Object.prototype carries an enumerable property (its comparison then leaves it to the copy)", () => {
    Object.defineProperty(Object.prototype, "polluted", { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      const edited = structuredClone(before);
      edited.apis[0]!.routes![1]!.path = "/z";
      const after = read(edited, before);
      expect(after.gateway).toBe(before.gateway);
      expect(after.apis[1]).toBe(before.apis[1]);
      expect(after.apis[0]!.routes![0]).toBe(before.apis[0]!.routes![0]);
      expect(after.apis[0]!.routes![1]!.path).toBe("/z");
      expect(Object.keys(after.apis[0]!)).toEqual(["name", "routes"]);
    } finally {
      delete (Object.prototype as { polluted?: number }).polluted;
    }
  });

  it("does not share a section's item with one that differs only in its shape", () => {
    const pairs: [unknown, unknown][] = [
      [{ a: 1, b: 1 }, { b: 1, a: 1 }],
      [{ a: 1 }, { a: 1, b: 1 }],
      [{ a: 1, b: 1 }, { a: 1 }],
      [{ x: { a: 1 }, y: 1 }, { x: { a: 1, y: 1 } }],
      [{ x: { a: 1, y: 1 } }, { x: { a: 1 }, y: 1 }],
      [[[1], 2], [[1, 2]]],
      [[[1, 2]], [[1], 2]],
      [{ a: {} }, { a: [] }],
      [{ a: [] }, { a: {} }],
      [{ a: "1" }, { a: 1 }],
      [{ a: null }, { a: {} }],
      [{ "0": "a" }, ["a"]],
    ];
    for (const flat of [true, false]) {
      for (const [was, now] of pairs) {
        const last = read({ gateway: null, apis: [was] }, undefined, flat);
        const next = read({ gateway: null, apis: [structuredClone(now)] }, last, flat);
        expect(next.apis[0], JSON.stringify([was, now, flat])).not.toBe(last.apis[0]);
        expect(next.apis[0]).toEqual(now);
        // The same value again is shared.
        expect(read({ gateway: null, apis: [structuredClone(was)] }, last, flat).apis[0]).toBe(last.apis[0]);
      }
    }
  });

  it("shares a section's item exactly when it reads the same, key order included, for any values and edits", () => {
    // Items of a section are compared against a flat copy of the last read's item; a false share would serve a stale config.
    const leaf = fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null));
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "0", "name"), tie("node"), { maxKeys: 3 })),
    }));
    /** The item read the same, with one leaf changed, its keys in reverse order, or another value altogether. */
    const edited = (item: unknown, how: number, other: unknown): unknown => {
      if (how === 0) return structuredClone(item);
      if (how === 3) return other;
      if (Array.isArray(item)) return item.length === 0 ? [null] : [edited(item[0], how, other), ...structuredClone(item.slice(1))];
      if (item !== null && typeof item === "object") {
        const entries = Object.entries(item);
        if (entries.length === 0) return { a: 1 };
        if (how === 2) return Object.fromEntries(entries.reverse());
        return Object.fromEntries(entries.map(([key, value], index) => [key, index === 0 ? edited(value, how, other) : structuredClone(value)]));
      }
      return typeof item === "string" ? `${item}!` : item === null ? 0 : typeof item === "number" ? item + 1 : !item;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(node, fc.integer({ min: 0, max: 3 }), node), { minLength: 1, maxLength: 5 }), fc.boolean(), (items, flat) => {
        const last = read({ gateway: null, apis: items.map(([item]) => item) }, undefined, flat);
        const next = items.map(([item, how, other]) => edited(item, how, other));
        const now = read({ gateway: null, apis: next }, last, flat);
        expect(JSON.stringify(now.apis)).toBe(JSON.stringify(next));
        for (const [index, item] of next.entries()) expect(now.apis[index] === last.apis[index]).toBe(JSON.stringify(item) === JSON.stringify(last.apis[index]));
      }),
      { numRuns: 400 },
    );
  });

  it("never shares with a config that is not frozen", () => {
    const mutable = structuredClone(before);
    const after = read(structuredClone(before), mutable);
    expect(after.gateway).not.toBe(mutable.gateway);
    expect(after.gateway).toEqual(mutable.gateway);
  });
});

describe("what is not config data", () => {
  it("reports a value that refers back to a parent at its path, and copies one shared by two parents twice", () => {
    const shared = { path: "/x" };
    const cyclic: Record<string, unknown> = { gateway: { name: "g" }, apis: [{ name: "a", routes: [shared, shared] }] };
    (cyclic.apis as Record<string, unknown>[])[0]!.self = cyclic;
    const { value, diagnostics } = toPlainData(cyclic, place);
    expect(diagnostics.map((d) => [d.code, d.path])).toEqual([["PCL1023", ["apis", 0, "self"]]]);
    expect((value as Sketch).apis[0]!.routes).toEqual([{ path: "/x" }, { path: "/x" }]);
  });

  it("reports it where it looks like the part of the last read it stands in for", () => {
    const before = read({ gateway: { name: "g" }, apis: [{ name: "a", routes: [{ path: "/x" }] }] });
    class Route {
      path = "/x";
    }
    const routes = (route: unknown) => ({ gateway: { name: "g" }, apis: [{ name: "a", routes: [route] }] });
    const throwing = Object.defineProperty({}, "path", { enumerable: true, get: () => { throw new Error("no path today"); } });
    for (const [route, what] of [[new Proxy({ path: "/x" }, {}), "is a Proxy"], [new Route(), "is a Route"], [throwing, "threw: no path today"]] as const) {
      const { value, diagnostics } = toPlainData(routes(route), place, { freeze: true, previous: before });
      expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining(what)]);
      expect(value).not.toBe(before);
    }
  });

  it("reports an undefined list item at its index", () => {
    const { diagnostics } = toPlainData({ apis: [{ name: "a", routes: [{ path: "/x" }, undefined] }] }, place);
    expect(diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([["PCL1023", ["apis", 0, "routes", 1], "apis[0].routes[1] is undefined, which is not config data"]]);
  });
});
