import { describe, expect, it } from "vitest";
import type { RouteIR } from "../../../src/model/ir.ts";
import { perRoute } from "../../../src/model/per-route.ts";

describe("perRoute", () => {
  it("works a fact out once per route object, an undefined one included", () => {
    const calls: RouteIR[] = [];
    const fact = perRoute((route) => {
      calls.push(route);
      return route.id === "a" ? undefined : route.id.length;
    });
    const a = { id: "a" } as RouteIR;
    const b = { id: "bb" } as RouteIR;
    expect([fact(a), fact(b), fact(a), fact(b)]).toEqual([undefined, 2, undefined, 2]);
    expect(calls).toEqual([a, b]);
    // An equal but new object is another route: resolve makes one only for a changed route.
    expect(fact({ id: "a" } as RouteIR)).toBeUndefined();
    expect(calls).toHaveLength(3);
  });
});
