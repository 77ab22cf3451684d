/**
 * Lists rebuilt by position (src/model/list-edit.ts): for any list and any items removed from it
 * and added to it, the edit gives the new list, and every kept item is found where it went.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEdit, type ListEdit, movedTo } from "../../src/model/list-edit.ts";

/** An old list, and the new one: the old less some items, with new items put at some places. */
const edits = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.array(fc.boolean(), { maxLength: 30 }), fc.array(fc.nat({ max: 40 }), { maxLength: 8 }))
  .map(([length, keepFlags, places]) => {
    const old = Array.from({ length }, (_, index) => `old-${index}`);
    const kept = old.filter((_, index) => keepFlags[index] ?? true);
    const next = [...kept];
    for (const [index, place] of places.entries()) next.splice(place % (next.length + 1), 0, `new-${index}`);
    return { old, next };
  });

describe("list edits", () => {
  it("rebuild the new list and follow each kept item", () => {
    fc.assert(
      fc.property(edits, ({ old, next }) => {
        const edit: ListEdit = {
          removedAt: old.flatMap((item, index) => (next.includes(item) ? [] : [index])),
          addedAt: next.flatMap((item, index) => (old.includes(item) ? [] : [index])),
        };
        const added = edit.addedAt.map((at) => next[at]!);
        expect(applyEdit(old, edit, added)).toEqual(next);
        for (const [index, item] of old.entries()) expect(movedTo(index, edit)).toBe(next.indexOf(item));
      }),
      { numRuns: 500 },
    );
  });
});
