/**
 * Resolve keeps the last compile's route order and merges only the routes it did not have before
 * (sortRoutes, src/model/route-order.ts). After every edit below — routes added of each match
 * kind, removed, moved to another version — the order is exactly that of a first compile.
 */
import { describe, expect, it } from "vitest";
import type { GatewayConfig, Route } from "../../src/config/types.ts";
import { resolve } from "../../src/model/resolve.ts";
import { RouteCache } from "../../src/model/resolve-routes.ts";

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
  return resolved.ir!.routes.map((r) => r.id);
};

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
    ids(config(base, []), cache);
    for (const [v1, v2] of edits) {
      const edited = config(v1, v2);
      expect(ids(edited, cache)).toEqual(ids(structuredClone(edited)));
    }
  });
});
