/**
 * A recompile updates what the last compile made of its routes for the routes that changed instead
 * of looking at every route again: the route scopes (listenerScopes, src/xds/route-scopes.ts) and
 * the counts behind the filters a listener carries (countRoutes, src/model/route-counts.ts) and the
 * routes the verifier lets be public (src/verify/expectations.ts); the
 * change comes from sortRoutes (src/model/route-order.ts). After every edit below — a route added to a scope, an
 * API (a new scope) added and removed, a route moved between scopes, a route with no literal
 * segments that turns the listener back to one table, host names changed, a filter some route
 * needs turned on and off — the snapshot is
 * byte for byte the one a first compile of the same config makes, and has its version.
 */
import { describe, expect, it } from "vitest";
import type { Api, GatewayConfig, Route } from "../../src/config/types.ts";
import { toPlainData } from "../../src/config/load/plain-data.ts";
import { resolve } from "../../src/model/resolve.ts";
import { RouteCache } from "../../src/model/resolve-routes.ts";
import { routeOrderChange } from "../../src/model/route-order.ts";
import { verifyExpectations } from "../../src/verify/expectations.ts";
import { verifySnapshot } from "../../src/verify/verify.ts";
import { newTranslateState, translate, type TranslateState } from "../../src/xds/translate.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { LISTENER_TYPE_URL } from "../../src/envoy/type-urls.ts";

const access = { public: { reason: "scope update test" } };
const route = (name: string, match: Route["match"]): Route => ({ name, match, provider: "app" });
const api = (name: string, v1: Route[], v2: Route[] = []): Api => ({
  name,
  owner: "team",
  basePath: `/${name}`,
  versions: { v1: { state: "published", access, routes: v1 }, ...(v2.length > 0 ? { v2: { state: "published" as const, access, routes: v2 } } : {}) },
});

function config(apis: Api[], hostnames = ["api.test"]): GatewayConfig {
  return {
    gateway: { name: "scopes-update", listeners: [{ name: "web", port: 8080, hostnames }] },
    providers: { app: { type: "service", endpoints: ["127.0.0.1:9999"], plaintext: { reason: "test backend on loopback" } } },
    apis,
  };
}

/** Every resource's version by type and name: equal maps are byte-identical snapshots. */
const versions = (snapshot: Snapshot) => [...snapshot.resources].map(([type, named]) => [type, [...named].map(([name, resource]) => [name, resource.version])]);

/** What serve recompiles: the config as frozen data shared with the last one (as compileGateway and a file's reread make it). */
function frozen(written: GatewayConfig, previous?: GatewayConfig): GatewayConfig {
  return toPlainData(written, { file: "<config>", locate: () => undefined }, { freeze: true, previous }).value as GatewayConfig;
}

/** The snapshot, and whether resolve recorded how its routes differ from the last compile's (the passes above update instead of starting over). */
function compiled(written: GatewayConfig, cache?: RouteCache, state?: TranslateState) {
  const resolved = resolve(written, { ...(cache ? { cache } : {}), secrets: "placeholder", env: {} });
  expect(resolved.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { ir: resolved.ir!, snapshot: translate(resolved.ir!, state ?? newTranslateState()), updated: routeOrderChange(resolved.ir!.routes) !== undefined };
}

describe("a recompile after each edit", () => {
  it("makes the snapshot a first compile makes", () => {
    const items = [route("items", { prefix: "/items" }), route("buy", { path: "/buy", methods: ["POST"] }), route("item", { template: "/items/{id}" })];
    const edits: GatewayConfig[] = [
      config([api("shop", [...items, route("extra", { path: "/extra" })]), api("users", [route("me", { path: "/me" })])]),
      config([api("shop", items, [route("v2", { prefix: "/all" })]), api("users", [route("me", { path: "/me" })]), api("orders", [route("list", { path: "/list" })])]),
      config([api("shop", items.slice(1), [route("v2", { prefix: "/all" }), route("items", { prefix: "/items" })]), api("orders", [route("list", { path: "/list" })])]),
      config([api("shop", items), api("orders", [route("list", { path: "/list" })]), { ...api("root", [route("health", { path: "/health" })]), basePath: "/", versioning: { by: "header", default: "v1" } }]),
      config([api("shop", items), api("orders", [route("list", { path: "/list" })])]),
      // Filters the listener carries while some route needs them (countRoutes, src/model/route-counts.ts): on, then off again.
      config([api("shop", items), api("orders", [route("list", { path: "/list" }), { ...route("cors", { path: "/cors" }), cors: { origins: ["https://app.test"] }, rateLimit: { requests: 5, per: "second" } }])]),
      config([api("shop", items), api("orders", [route("list", { path: "/list" })])]),
      config([api("shop", items), api("orders", [route("list", { path: "/list" }), route("one", { template: "/{id}" })])], ["api.test", "shop.test"]),
      config([api("shop", items)], ["api.test", "shop.test"]), // an API (a scope) gone, everything else left alone
      config([api("shop", [])]),
    ];
    const cache = new RouteCache();
    const state = newTranslateState();
    let last = frozen(config([api("shop", items), api("users", [route("me", { path: "/me" })])]));
    compiled(last, cache, state);
    let updates = 0;
    for (const edited of edits) {
      last = frozen(edited, last);
      const recompiled = compiled(last, cache, state);
      if (recompiled.updated) updates++;
      const fresh = compiled(structuredClone(edited)).snapshot;
      expect(versions(recompiled.snapshot)).toEqual(versions(fresh));
      // Types taken from the last snapshot as they were (buildSnapshot's `last`) hash to the same version.
      expect(recompiled.snapshot.version).toBe(fresh.version);
      // The verifier's public routes are updated the same way (src/verify/expectations.ts): every route here is public.
      expect(verifySnapshot(recompiled.snapshot, recompiled.ir)).toEqual([]);
    }
    // Most edits leave some version alone, and those recompiles took the update path.
    expect(updates).toBeGreaterThan(edits.length / 2);
  });

  it("keeps a gateway's listener and its shared filter configs while another gateway compiles in between", () => {
    const listenerOf = (snapshot: Snapshot) => snapshot.resources.get(LISTENER_TYPE_URL)!.get("web");
    const one = { routes: new RouteCache(), state: newTranslateState() };
    const other = { routes: new RouteCache(), state: newTranslateState() };
    const shop = frozen(config([api("shop", [route("items", { prefix: "/items" })])]));
    const users = frozen({ ...config([api("users", [{ ...route("me", { path: "/me" }), cors: { origins: ["https://app.test"] } }])]), gateway: { name: "other", listeners: [{ name: "web", port: 8081, hostnames: ["other.test"] }] } });
    const first = compiled(shop, one.routes, one.state).snapshot;
    compiled(users, other.routes, other.state);
    // Each gateway's extension configs are its own (translate's state): the other's compile does not end them.
    expect(listenerOf(compiled(shop, one.routes, one.state).snapshot)).toBe(listenerOf(first));
  });

  it("has the verifier judge a table it judged before by the public routes of the newest compile", () => {
    // The last snapshot's tables judged by a recompile's IR: the verdict of a table that looks up
    // none of the routes added or removed since stands; a table serving a route the IR no longer
    // has as public is judged again, and its public route is reported.
    const shop = api("shop", [route("items", { prefix: "/items" }), route("buy", { path: "/buy", methods: ["POST"] })]);
    const first = frozen(config([shop, api("users", [route("me", { path: "/me" })])]));
    const cache = new RouteCache();
    const state = newTranslateState();
    const before = compiled(first, cache, state);
    expect(verifySnapshot(before.snapshot, before.ir)).toEqual([]);
    const after = compiled(frozen(config([shop, api("users", [route("self", { path: "/self" })])]), first), cache, state);
    expect(verifyExpectations(after.ir).publicChange?.changedIds).toEqual(new Set(["users.v1.me", "users.v1.self"]));
    const violations = verifySnapshot(before.snapshot, after.ir);
    expect(violations.length).toBeGreaterThan(0);
    for (const violation of violations) expect([violation.code, violation.field.includes('"me"')]).toEqual(["PCL6002", true]);
    expect(verifySnapshot(after.snapshot, after.ir)).toEqual([]);
    expect(verifySnapshot(before.snapshot, before.ir)).toEqual([]);
  });
});
