/**
 * After an edit of a large config, the policy view updates the last compile's route subjects by
 * position (src/policy/route-subjects.ts) and the rule results by where they were
 * (src/policy/evaluate.ts), looking only at the routes that came and the routes of changed APIs.
 * After every edit below, the subjects, the gateway value and the findings are exactly those of a
 * first compile of the same config.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toPlainData } from "../../src/config/load/plain-data.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { resolve } from "../../src/model/resolve.ts";
import { RouteCache } from "../../src/model/resolve-routes.ts";
import { runPolicy } from "../../src/policy/run.ts";
import { buildView } from "../../src/policy/view.ts";
import { dir, manyApisConfig, TODAY } from "./policy-config.ts";

const file = join(dir, "gateway.yaml");
writeFileSync(
  join(dir, "flags.yaml"),
  [
    "pack: flags",
    "rules:",
    "  - id: FLAG-001",
    "    title: Flagged route",
    "    severity: warning",
    "    for: route",
    '    when: route.name.startsWith("flag")',
    '    message: "Route {route.id} at {route.path} is flagged."',
    "    rationale: Test rule.",
    "    fix: Rename it.",
    // Its message shows the gateway, which a route's outcome does not depend on: written again when the gateway changes.
    "  - id: FLAG-002",
    "    title: Flagged route on a gateway",
    "    severity: warning",
    "    for: route",
    '    when: route.name.startsWith("flag")',
    '    message: "Route {route.id} is flagged on {gateway.name}."',
    "    rationale: Test rule.",
    "    fix: Rename it.",
    "",
  ].join("\n"),
);

const API_COUNT = 16;
const ROUTES_PER_API = 8;

function largeConfig(): GatewayConfig {
  return { ...manyApisConfig("edit-reuse", API_COUNT, ROUTES_PER_API, (r) => (r % 3 === 0 ? `flag${r}` : `r${r}`)), policy: { packs: ["./flags.yaml"] } };
}

type Edit = (config: GatewayConfig) => void;
const routesOf = (config: GatewayConfig, api: number) => config.apis![api]!.versions["v1"]!.routes;

const edits: [string, Edit][] = [
  ["a flagged route added", (c) => routesOf(c, 3).push({ name: "flag-new", match: { path: "/new" }, provider: "app" })],
  ["a route renamed to be flagged", (c) => Object.assign(routesOf(c, 5)[1]!, { name: "flag-renamed" })],
  ["a route inserted first: the others move down in their version", (c) => routesOf(c, 7).unshift({ name: "flag-first", match: { path: "/first" }, provider: "app" })],
  ["a flagged route removed", (c) => routesOf(c, 3).splice(0, 1)],
  ["the API's owner changed, not its routes", (c) => Object.assign(c.apis![9]!, { owner: "another team" })],
  ["the version's access changed", (c) => Object.assign(c.apis![2]!.versions["v1"]!, { access: { public: { reason: "another reason" } } })],
  ["a route's path changed", (c) => Object.assign(routesOf(c, 11)[3]!, { match: { prefix: "/moved" } })],
  ["the gateway renamed, not its routes", (c) => Object.assign(c.gateway, { name: "renamed" })],
  ["an API near the front removed: those after it move up", (c) => c.apis!.splice(1, 1)],
];

const seen = (ir: GatewayIR) => {
  const view = buildView(ir);
  return { subjects: view.subjects.map((s) => [s.kind, s.target, s.path, s.accessPath, s.value]), gateway: view.gateway, change: view.routeChange };
};
const findings = (ir: GatewayIR) => runPolicy(ir, { file, today: TODAY }).diagnostics.map((d) => [d.code, d.message, d.path]);

describe("policy view and rule results after edits of a large config", () => {
  it("are those of a first compile, with only the changed routes looked at", () => {
    const cache = new RouteCache();
    let config = largeConfig();
    let last = toPlainData(config, { file, locate: () => undefined }, { freeze: true }).value as GatewayConfig;
    const first = resolve(last, { cache, file, secrets: "placeholder", env: {} }).ir!;
    seen(first);
    expect(findings(first).filter(([code]) => code === "FLAG-001").length).toBe(API_COUNT * 3);
    let updated = 0;
    for (const [what, edit] of edits) {
      config = structuredClone(config);
      edit(config);
      last = toPlainData(config, { file, locate: () => undefined }, { freeze: true, previous: last }).value as GatewayConfig;
      const ir = resolve(last, { cache, file, secrets: "placeholder", env: {} }).ir!;
      const fresh = resolve(structuredClone(config), { file, secrets: "placeholder", env: {} }).ir!;
      const recompiled = seen(ir);
      const expected = seen(fresh);
      expect(recompiled.subjects, what).toEqual(expected.subjects);
      expect(recompiled.gateway, what).toEqual(expected.gateway);
      expect(findings(ir), what).toEqual(findings(fresh));
      // Updated by position: the routes looked at are the edited API's, not all of them.
      if (recompiled.change) {
        updated++;
        expect(recompiled.change.renewedAt.length, what).toBeLessThanOrEqual(ROUTES_PER_API + 1);
      }
    }
    // All but the API removed, after which every API moved up: their routes are placed again in one walk.
    expect(updated).toBe(edits.length - 1);
  });

  it("place again the kept routes of an API that is another ApiIR", () => {
    const cache = new RouteCache();
    const config = largeConfig();
    const first = toPlainData(config, { file, locate: () => undefined }, { freeze: true }).value as GatewayConfig;
    buildView(resolve(first, { cache, file, secrets: "placeholder", env: {} }).ir!);
    const edited = structuredClone(config);
    routesOf(edited, 3).push({ name: "added", match: { path: "/added" }, provider: "app" });
    const frozen = toPlainData(edited, { file, locate: () => undefined }, { freeze: true, previous: first }).value as GatewayConfig;
    const ir = resolve(frozen, { cache, file, secrets: "placeholder", env: {} }).ir!;
    // The same routes, their API at another place in the config (as if APIs were inserted before it): each subject's path follows.
    const view = buildView({ ...ir, apis: ir.apis.map((api) => (api.name === "api3" ? { ...api, index: 40 } : api)) });
    expect(view.routeChange).toBeDefined();
    const paths = view.subjects.filter((s) => s.kind === "route" && s.target.startsWith("apis.api3.")).map((s) => s.path.slice(0, 2));
    expect(paths).toEqual(Array.from({ length: ROUTES_PER_API + 1 }, () => ["apis", 40]));
  });
});
