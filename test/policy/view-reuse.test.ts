/**
 * The policy view keeps a route's subject across compiles (src/policy/view.ts): at once when the
 * route's API is the same ApiIR, and otherwise only when the route's placement (API index, its
 * position in its version, the version's access) is equal. A subject placed with a stale path would
 * put findings at the wrong place in the config.
 */
import { describe, expect, it } from "vitest";
import { toPlainData } from "../../src/config/load/plain-data.ts";
import type { GatewayConfig as Config } from "../../src/config/types.ts";
import { resolve } from "../../src/model/resolve.ts";
import { RouteCache } from "../../src/model/resolve-routes.ts";
import { routeOrderChange } from "../../src/model/route-order.ts";
import { buildView } from "../../src/policy/view.ts";
import { baseConfig, compile } from "./policy-config.ts";

describe("route subjects across compiles", () => {
  it("are the same objects for the same IR, and follow a change of the API's index", () => {
    const ir = compile(baseConfig()).ir!;
    const routeSubjects = (view: ReturnType<typeof buildView>) => view.subjects.filter((subject) => subject.kind === "route");
    const first = routeSubjects(buildView(ir));
    expect(first.length).toBeGreaterThan(0);
    expect(routeSubjects(buildView(ir))).toEqual(first);
    const again = routeSubjects(buildView(ir));
    for (const [index, subject] of again.entries()) expect(subject).toBe(first[index]);
    // The same routes, their API one place further down: each subject's path follows.
    const moved = routeSubjects(buildView({ ...ir, apis: ir.apis.map((api) => ({ ...api, index: api.index + 1 })) }));
    expect(moved.map((subject) => subject.path[1])).toEqual(first.map((subject) => (subject.path[1] as number) + 1));
    // The same routes, their version's access another: they no longer inherit it, so their findings go to their own.
    const inherited = first.filter((subject) => subject.accessPath?.includes("routes") === false);
    expect(inherited.length).toBeGreaterThan(0);
    const otherAccess = routeSubjects(buildView({ ...ir, apis: ir.apis.map((api) => ({ ...api, versions: api.versions.map((version) => ({ ...version, access: { kind: "public" as const, reason: "another" } })) })) }));
    expect(otherAccess.filter((subject) => subject.accessPath?.includes("routes") === false)).toEqual([]);
    // And back, with new ApiIR objects equal to the first: the first subjects' content again.
    const back = routeSubjects(buildView({ ...ir, apis: ir.apis.map((api) => ({ ...api })) }));
    expect(back).toEqual(first);
  });
});

describe("route subjects after an edit", () => {
  it("are those of a first compile, kept routes walked beside the last compile's (src/policy/route-subjects.ts)", () => {
    type Access = NonNullable<NonNullable<Config["apis"]>[number]["versions"][string]["access"]>;
    const access: Access = { public: { reason: "view test" } };
    const route = (name: string, path: string) => ({ name, match: { path }, provider: "app" });
    const config = (shop: ReturnType<typeof route>[], other: ReturnType<typeof route>[], otherAccess: Access = access): Config => ({
      gateway: { name: "view-edits", listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
      providers: { app: { type: "service", endpoints: ["127.0.0.1:9999"], plaintext: { reason: "test backend on loopback" } } },
      apis: [
        { name: "shop", owner: "team", basePath: "/shop", versions: { v1: { state: "published", access, routes: shop } } },
        { name: "other", owner: "team", basePath: "/other", versions: { v1: { state: "published", access: otherAccess, routes: other } } },
      ],
    });
    const seen = (view: ReturnType<typeof buildView>) => view.subjects.filter((s) => s.kind === "route").map((s) => [s.target, s.path, s.accessPath, s.value]);
    const [a, b, c] = [route("a", "/a"), route("b", "/b"), route("c", "/c")];
    const edits = [
      config([a, b, c], [a]),
      config([b, c], [a]), // removed at the front: later routes move up in their version
      config([c, b], [a, b]), // reordered, and a route added to the other API
      config([c, b], [a, b], { public: { reason: "another reason" } }), // the other API's access, not its routes
      config([a, c, b], [b]),
    ];
    const cache = new RouteCache();
    // Frozen and shared with the last config, as serve recompiles it: only then does resolve record what changed.
    let last: Config | undefined;
    const recompiled = (written: Config) => {
      last = toPlainData(written, { file: "<config>", locate: () => undefined }, { freeze: true, previous: last }).value as Config;
      const ir = resolve(last, { cache, secrets: "placeholder", env: {} }).ir!;
      return { ir, updated: routeOrderChange(ir.routes) !== undefined };
    };
    recompiled(config([a], [a]));
    let updates = 0;
    for (const edited of edits) {
      const { ir, updated } = recompiled(edited);
      if (updated) updates++;
      expect(seen(buildView(ir))).toEqual(seen(buildView(resolve(structuredClone(edited), { secrets: "placeholder", env: {} }).ir!)));
    }
    expect(updates).toBeGreaterThan(edits.length / 2);
    // A kept route whose API is another ApiIR (here: moved one place down) is placed again, not reused.
    const { ir } = recompiled(config([a, c, b, route("d", "/d")], [b]));
    const moved = buildView({ ...ir, apis: ir.apis.map((api) => ({ ...api, index: api.index + 1 })) });
    for (const subject of moved.subjects.filter((s) => s.kind === "route")) expect(subject.path.slice(0, 2)).toEqual(["apis", ir.apis.find((api) => subject.target.startsWith(`apis.${api.name}.`))!.index + 1]);
  });
});
