/**
 * Resolve keeps the last compile's route order and merges only the routes it did not have before
 * (sortRoutes, src/model/route-order.ts). After every edit below — routes added of each match
 * kind, removed, moved to another version — the order is exactly that of a first compile, and the
 * change it records names exactly the routes that came and went, at their places.
 */
import { describe, expect, it } from "vitest";
import type { GatewayConfig, Route } from "../../src/config/types.ts";
import { resolve } from "../../src/model/resolve.ts";
import { toPlainData } from "../../src/config/load/plain-data.ts";
import { RouteCache } from "../../src/model/resolve-routes.ts";
import type { RouteIR } from "../../src/model/ir.ts";
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
  const routes = resolved.ir!.routes;
  return { routes, ids: routes.map((r) => r.id), change: routeOrderChange(routes) };
};

/** The routes of `list` that are not (the same objects) in `other`, in match order. */
const missingFrom = (list: readonly RouteIR[], other: readonly RouteIR[]) => list.filter((route) => !other.includes(route));

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
    let before = ids(last, cache).routes;
    let merges = 0;
    for (const [v1, v2] of edits) {
      const edited = config(v1, v2);
      last = frozen(edited, last);
      const recompiled = ids(last, cache);
      expect(recompiled.ids).toEqual(ids(structuredClone(edited)).ids);
      const change = recompiled.change;
      if (change) {
        merges++;
        expect(change.previous).toBe(before);
        // Net: a route resolved again unchanged is the same object, so it is in neither list.
        expect(change.added).toEqual(missingFrom(recompiled.routes, before));
        expect(change.removed).toEqual(missingFrom(before, recompiled.routes));
        expect(change.addedAt.map((at) => recompiled.routes[at])).toEqual(change.added);
        expect(change.removedAt.map((at) => before[at])).toEqual(change.removed);
      }
      before = recompiled.routes;
    }
    expect(merges).toBeGreaterThan(edits.length / 2);
  });
});
