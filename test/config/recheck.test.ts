/**
 * Validating a reloaded YAML config skips the versions a route-local check found clean before
 * (src/config/checks/walk.ts, `routeLocal`, and `accessLocal` for the rules written on routes) and the APIs the schema found valid before
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

/** Saves each step's text to `file` in turn, expecting the findings of a fresh load each time; the codes seen. */
async function reloadsAsFresh(file: string, steps: readonly (readonly [string, string])[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const [what, text] of steps) {
    const reloaded = await findings(file, text);
    expect(reloaded, what).toEqual(await findings(join(dir, `fresh-${fresh++}.yaml`), text));
    for (const finding of reloaded) seen.add(finding.code);
  }
  return seen;
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
    const seen = await reloadsAsFresh(file, steps);
    // The steps do reach the route-local checks: names, matches, paths and provider references.
    expect([...seen].sort()).toEqual(["PCL2004", "PCL3001", "PCL3007", "PCL3008", "PCL3027"]);
  });

  it("reports what a fresh load reports for rules and headers written on routes, and for the identities they name", async () => {
    const file = join(dir, "rules.yaml");
    const ruled = (name: string, path: string, rule: string, [header, value] = ["x-tenant", "acme"]) => [
      `          - name: ${name}`,
      `            match: { path: ${path}, headers: [{ name: ${header}, value: "${value}" }] }`,
      "            provider: svc",
      `            access: { allow: [${rule}] }`,
    ];
    const withIdentity = (identity: string, apis: string[][]) =>
      gateway("svc", apis).replace(
        "providers:",
        [
          "identities:",
          `  ${identity}:`,
          "    type: jwt",
          "    issuer: https://auth.test/",
          '    jwks: { url: "https://auth.test/jwks.json" }',
          "providers:",
        ].join("\n"),
      );
    const good = '{ identity: users, scopes: ["orders:read"] }';
    // An API whose version's own access names an identity (a rule on the version, not on a route).
    const allowing = (name: string, routes: string[][], rule: string) =>
      api(name, routes).flatMap((line) => (line === "          public:" ? [`          allow: [${rule}]`] : line.includes("reason: test API") ? [] : [line]));
    const steps: [string, string][] = [
      ["clean", withIdentity("users", [api("one", [ruled("a", "/a", good), route("b", "/b")]), api("two", [ruled("c", "/c", good)])])],
      ["the identity renamed: every route rule names one that is gone", withIdentity("people", [api("one", [ruled("a", "/a", good), route("b", "/b")]), api("two", [ruled("c", "/c", good)])])],
      ["back", withIdentity("users", [api("one", [ruled("a", "/a", good), route("b", "/b")]), api("two", [ruled("c", "/c", good)])])],
      ["a bad client CIDR in the second API", withIdentity("users", [api("one", [ruled("a", "/a", good), route("b", "/b")]), api("two", [ruled("c", "/c", '{ clientCidrs: ["10.0.0.0/99"] }')])])],
      ["a claim name with an empty part", withIdentity("users", [api("one", [ruled("a", "/a", '{ identity: users, claims: { "realm..roles": admin } }'), route("b", "/b")]), api("two", [ruled("c", "/c", good)])])],
      ["a control character in a required scope", withIdentity("users", [api("one", [ruled("a", "/a", '{ identity: users, scopes: ["read\\nwrite"] }'), route("b", "/b")]), api("two", [ruled("c", "/c", good)])])],
      ["a bad header name and a control character in a matched value", withIdentity("users", [api("one", [ruled("a", "/a", good, ["x tenant", "acme"]), route("b", "/b")]), api("two", [ruled("c", "/c", good, ["x-tenant", "a\\u0001b"])])])],
      ["a version's own rule names the identity", withIdentity("users", [allowing("one", [route("a", "/a"), route("b", "/b")], good), api("two", [ruled("c", "/c", good)])])],
      ["the identity renamed: the version's rule and a route's name one that is gone", withIdentity("people", [allowing("one", [route("a", "/a"), route("b", "/b")], good), api("two", [ruled("c", "/c", good)])])],
      ["another API edited: the version's finding stays", withIdentity("people", [allowing("one", [route("a", "/a"), route("b", "/b")], good), api("two", [ruled("c", "/c", good), route("d", "/d")])])],
      ["an API inserted before it: its finding moves", withIdentity("people", [api("zero", [route("z", "/z")]), allowing("one", [route("a", "/a"), route("b", "/b")], good), api("two", [ruled("c", "/c", good), route("d", "/d")])])],
      ["the version's rule given a bad CIDR, the identity back", withIdentity("users", [api("zero", [route("z", "/z")]), allowing("one", [route("a", "/a"), route("b", "/b")], '{ clientCidrs: ["10.0.0.0/99"] }'), api("two", [ruled("c", "/c", good), route("d", "/d")])])],
      ["all clean again", withIdentity("users", [api("one", [ruled("a", "/a", good), route("b", "/b")]), api("two", [ruled("c", "/c", good)])])],
    ];
    const seen = await reloadsAsFresh(file, steps);
    const versionRules = new Set<string>();
    for (const [, text] of steps) for (const d of await findings(join(dir, `fresh-${fresh++}.yaml`), text)) if (/^apis\.\d+\.versions\.v1\.access/.test((d.path ?? []).join("."))) versionRules.add(d.code);
    // A version's own rule reaches the identity and CIDR checks.
    expect([...versionRules].sort()).toEqual(["PCL3003", "PCL3024"]);
    // The steps reach each check that reads route rules and headers: identity references, CIDRs, claim names, control characters, header names.
    expect([...seen].sort()).toEqual(["PCL3003", "PCL3024", "PCL3026", "PCL3032", "PCL3037"]);
  });
});
