/**
 * The policy view keeps a route's subject across compiles (src/policy/view.ts): at once when the
 * route's API is the same ApiIR, and otherwise only when the route's placement (API index, its
 * position in its version, the version's access) is equal. A subject placed with a stale path would
 * put findings at the wrong place in the config.
 */
import { describe, expect, it } from "vitest";
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
