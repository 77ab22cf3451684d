/**
 * The verifier's public route ids after each recompile (src/verify/id-layers.ts): built from the
 * last compile's by the ids that came and went, they must answer as a set built from scratch would,
 * across any run of edits, before and after the differences are folded into a new base.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdLayers } from "../../src/verify/id-layers.ts";

const id = fc.integer({ min: 0, max: 300 }).map((n) => `r${n}`);
const edit = fc.record({ gone: fc.array(id, { maxLength: 80 }), came: fc.array(id, { maxLength: 80 }) });

describe("layered id sets", () => {
  it("answer as the set they stand for after any run of edits", () => {
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 200 }), fc.array(edit, { maxLength: 30 }), (start, edits) => {
        let layers = new IdLayers(new Set(start));
        const expected = new Set(start);
        for (const { gone, came } of edits) {
          layers = layers.with(gone, came);
          for (const one of gone) expected.delete(one);
          for (const one of came) expected.add(one);
          for (let n = 0; n <= 300; n++) expect(layers.has(`r${n}`)).toBe(expected.has(`r${n}`));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("fold large differences into a new base and go on from it", () => {
    const many = (from: number, count: number) => Array.from({ length: count }, (_, n) => `r${from + n}`);
    const layers = new IdLayers(new Set(many(0, 100))).with(many(0, 50), many(100, 100)).with(["r120"], ["r0"]);
    expect(many(0, 250).filter((one) => layers.has(one))).toEqual([...many(0, 1), ...many(50, 70), ...many(121, 79)]);
  });

  it("keep an id that goes and comes back in one edit", () => {
    const layers = new IdLayers(new Set(["a", "b"])).with(["a", "c"], ["a", "c"]);
    expect(["a", "b", "c"].map((one) => layers.has(one))).toEqual([true, true, true]);
  });
});
