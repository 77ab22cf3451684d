/**
 * Validating a reloaded YAML config skips the versions a route-local check found clean before
 * (src/config/checks/walk.ts, `routeLocal`) and the APIs the schema found valid before
 * (src/config/schema-findings.ts): after every edit below, the findings — codes, paths and
 * positions — are those of the same text loaded fresh, in a file never read before.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-recheck-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fresh = 0;

const route = (name: string, path: string, provider = "svc") => [`          - name: ${name}`, "            match:", `              path: ${path}`, `            provider: ${provider}`];
const api = (name: string, routes: string[][], state = "published") => [
  `  - name: ${name}`,
  "    owner: team",
  `    basePath: /${name}`,
  "    versions:",
  "      v1:",
  `        state: ${state}`,
  "        access:",
  "          public:",
  "            reason: test API without identities",
  "        routes:",
  ...routes.flat(),
];
const gateway = (provider: string, apis: string[][]) =>
  [
    "gateway:",
    "  name: recheck",
    "  listeners:",
    "    - name: web",
    "      port: 8080",
    "      hostnames: [api.test]",
    "providers:",
    `  ${provider}:`,
    "    type: service",
    "    endpoints: [127.0.0.1:9000]",
    "    plaintext:",
    "      reason: test backend on loopback",
    "apis:",
    ...apis.flat(),
    "",
  ].join("\n");

/** The findings of loading `text` from `file`, without the file name. */
async function findings(file: string, text: string) {
  writeFileSync(file, text);
  const loaded = await loadConfig(file, { today: "2026-01-01" });
  return loaded.diagnostics.map(({ location, ...rest }) => ({ ...rest, location: { ...location, file: "" } }));
}

describe("validating a reloaded YAML config", () => {
  it("reports what a fresh load reports, after edits of routes, of other versions and of the sections routes name", async () => {
    const file = join(dir, "gateway.yaml");
    const steps: [string, string][] = [
      ["clean", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b")]), api("two", [route("c", "/c")])])],
      ["the provider renamed: every route names one that is gone", gateway("svc2", [api("one", [route("a", "/a"), route("b", "/b")]), api("two", [route("c", "/c")])])],
      ["back", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b")]), api("two", [route("c", "/c")])])],
      ["a bad path in the second API", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b")]), api("two", [route("c", "/c d")])])],
      ["an API inserted before the second: its finding is at a new path", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b")]), api("zero", [route("z", "/z")]), api("two", [route("c", "/c d")])])],
      ["a route added to the first API moves the finding down", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b"), route("x", "/x")]), api("two", [route("c", "/c d")])])],
      ["a duplicate name and match in the first API", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b"), route("a", "/a")]), api("two", [route("c", "/c d")])])],
      ["the second API mended", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b"), route("a", "/a")]), api("two", [route("c", "/c")])])],
      ["a route naming a missing provider", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b"), route("y", "/y", "nope")]), api("two", [route("c", "/c")])])],
      ["a schema error in a version of the second API", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b")]), api("two", [route("c", "/c")], "publishd")])],
      ["all clean again", gateway("svc", [api("one", [route("a", "/a"), route("b", "/b")]), api("two", [route("c", "/c")])])],
    ];
    const seen = new Set<string>();
    for (const [what, text] of steps) {
      const reloaded = await findings(file, text);
      expect(reloaded, what).toEqual(await findings(join(dir, `fresh-${fresh++}.yaml`), text));
      for (const finding of reloaded) seen.add(finding.code);
    }
    // The steps do reach the route-local checks: names, matches, paths and provider references.
    expect([...seen].sort()).toEqual(["PCL2004", "PCL3001", "PCL3007", "PCL3008", "PCL3027"]);
  });
});
