/**
 * A config built in code is compiled from a frozen copy shared with the last one compiled
 * (compileGateway, src/compile.ts): fresh objects equal to the last ones reuse their resolution by
 * identity, and the caller's own objects are never frozen, so changing them in place between two
 * compiles is seen.
 */
import { describe, expect, it } from "vitest";
import type { RouteIR } from "../../src/model/ir.ts";
import { baseConfig, compile } from "../policy/policy-config.ts";

const irOf = (config: ReturnType<typeof baseConfig>) => {
  const result = compile(config);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.ir!;
};
const routesOf = (config: ReturnType<typeof baseConfig>) => irOf(config).routes;
const byId = (routes: readonly RouteIR[], id: string) => routes.find((route) => route.id === id);

describe("compiling a config built in code", () => {
  it("reuses what fresh but equal objects resolve to, and sees the caller's changes made in place", () => {
    const config = baseConfig();
    const first = routesOf(config);
    expect(Object.isFrozen(config)).toBe(false);
    expect(Object.isFrozen(config.apis![0]!.versions["v1"]!.routes[0])).toBe(false);
    // Fresh, equal objects: the same resolved routes, and the same API — kept only for frozen
    // config (resolve-apis.ts), so only the shared frozen copy gives it back.
    const apiBefore = irOf(config).apis[0];
    const again = irOf(structuredClone(config));
    for (const route of first) expect(byId(again.routes, route.id)).toBe(route);
    expect(again.apis[0]).toBe(apiBefore);
    // The caller changes its own object in place: the change is compiled, the untouched route reused.
    config.apis![0]!.versions["v1"]!.routes[0]!.match.path = "/all";
    const changed = routesOf(config);
    expect(byId(changed, "orders.v1.list")!.match.path).toBe("/v1/orders/all");
    expect(byId(changed, "orders.v1.list")).not.toBe(byId(first, "orders.v1.list"));
    expect(byId(changed, "orders.v1.get")).toBe(byId(first, "orders.v1.get"));
  });
});
