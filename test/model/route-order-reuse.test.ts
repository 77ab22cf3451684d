/**
 * Resolve keeps the last compile's route order and merges only the routes it did not have before
 * (sortRoutes, src/model/route-order.ts). After every edit below — routes added of each match
 * kind, removed, moved to another version — the order is exactly that of a first compile.
 */
import { describe, expect, it } from "vitest";
import type { GatewayConfig, Route } from "../../src/config/types.ts";
import { resolve } from "../../src/model/resolve.ts";
import { toPlainData } from "../../src/config/load/plain-data.ts";
import { RouteCache } from "../../src/model/resolve-routes.ts";
import { routeOrderChange } from "../../src/model/route-order.ts";

const route = (name: string, match: Route["match"]): Route => ({ name, match, provider: "app" });

function config(v1: Route[], v2: Route[]): GatewayConfig {
  const access = { public: { reason: "test API" } };
  return {
    gateway: { name: "order", listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
    providers: { app: { type: "service", endpoints: ["127.0.0.1:9999"], plaintext: { reason: "test backend on loopback" } } },
    apis: [{ name: "shop", owner: "team", basePath: "/shop", versions: { v1: { state: "published", access, routes: v1 }, v2: { state: "published", access, routes: v2 } } }],
  };
}

const ids = (written: GatewayConfig, cache?: RouteCache) => {
  const resolved = resolve(written, { ...(cache ? { cache } : {}), secrets: "placeholder", env: {} });
  expect(resolved.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { ids: resolved.ir!.routes.map((r) => r.id), merged: routeOrderChange(resolved.ir!.routes) !== undefined };
};

/** Frozen and shared with the last config, as serve recompiles it: resolve hands back an unchanged version's routes as the same group. */
const frozen = (written: GatewayConfig, previous?: GatewayConfig) => toPlainData(written, { file: "<config>", locate: () => undefined }, { freeze: true, previous }).value as GatewayConfig;

describe("route order across recompiles", () => {
  it("is the order of a first compile after each edit", () => {
    const base = [route("items", { prefix: "/items" }), route("buy", { path: "/buy", methods: ["POST"] }), route("item", { template: "/items/{id}" })];
    const edits: [Route[], Route[]][] = [
      [base, [route("all", { prefix: "/" })]],
      [[...base, route("exact", { path: "/items/special" })], [route("all", { prefix: "/" })]],
      [[...base, route("exact", { path: "/items/special" }), route("longer", { prefix: "/items/special/more" })], [route("all", { prefix: "/" }), route("t", { template: "/{a}/{b}" })]],
      [[base[1]!, route("exact", { path: "/items/special" })], [route("all", { prefix: "/" }), route("items", { prefix: "/items" })]],
      [[], [route("items", { prefix: "/items" }), route("buy", { path: "/buy" })]],
      [base, []],
    ];
    const cache = new RouteCache();
    let last = frozen(config(base, []));
    ids(last, cache);
    let merges = 0;
    for (const [v1, v2] of edits) {
      const edited = config(v1, v2);
      last = frozen(edited, last);
      const recompiled = ids(last, cache);
      if (recompiled.merged) merges++;
      expect(recompiled.ids).toEqual(ids(structuredClone(edited)).ids);
    }
    // Where an edit leaves one of the two versions alone, its routes keep their places and the others merge in.
    const same = (a: Route[], b: Route[]) => JSON.stringify(a) === JSON.stringify(b);
    const leaveOneAlone = edits.filter(([v1, v2], index) => {
      const [before1, before2] = index === 0 ? [base, []] : edits[index - 1]!;
      return same(v1, before1) || same(v2, before2);
    });
    expect(leaveOneAlone.length).toBeGreaterThan(0);
    expect(merges).toBe(leaveOneAlone.length);
  });
});
