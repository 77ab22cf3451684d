import { describe, expect, it } from "vitest";
import { RecentlyUsed } from "../../src/recently-used.ts";

describe("RecentlyUsed", () => {
  it("keeps the keys set most recently, setting a key again making it the newest", () => {
    const kept = new RecentlyUsed<string, number>(2);
    kept.set("a", 1);
    kept.set("b", 2);
    kept.set("a", 3);
    kept.set("c", 4);
    expect([kept.get("a"), kept.get("b"), kept.get("c")]).toEqual([3, undefined, 4]);
    kept.delete("a");
    kept.set("d", 5);
    expect([kept.get("a"), kept.get("c"), kept.get("d")]).toEqual([undefined, 4, 5]);
  });
});
