/** The override and shadowing report (explain --shadowing): each shape found where it is, and not where it is not. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { locateNearest } from "../../src/config/locate.ts";
import { shadowingReport } from "../../src/review/shadowing/report.ts";
import { yamlCompiler } from "../support/yaml-compile.ts";

const work = mkdtempSync(join(tmpdir(), "portcullis-shadowing-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A gateway whose one API version has `access` and `routes` (YAML, indented for the version). */
function gateway(access: string, routes: string): string {
  return `gateway:
  name: shadowing
  listeners: [{ name: web, address: 127.0.0.1, port: 8080, hostnames: [localhost] }]
identities:
  customers:
    type: jwt
    issuer: https://auth.example.com/
    audiences: [shop]
    jwks: { url: https://auth.example.com/.well-known/jwks.json }
    claims: { roles: roles }
providers:
  shop: { type: service, endpoints: ["10.0.0.1:8080"], plaintext: { reason: test backend } }
apis:
  - name: shop
    owner: team
    description: Shop.
    basePath: /shop
    versions:
      v1:
        state: published
        access: ${access}
        routes:
${routes}`;
}

const compile = yamlCompiler("", { secrets: "placeholder" });
async function report(yaml: string) {
  const result = await compile(yaml);
  expect(result.ir, JSON.stringify(result.diagnostics)).toBeDefined();
  // Each finding with the config line it is placed at.
  const lines = yaml.split("\n");
  return shadowingReport(result.ir!).map((finding) => ({ ...finding, at: lines[locateNearest(result.locate!, result.file, finding.path).line - 1]!.trim() }));
}

const admin = "{ allow: [{ identity: customers, roles: [admin] }] }";

describe("route access that replaces its version's (PCL4090)", () => {
  it("says whom the route's own rules admit beyond the version's, at the route's access", async () => {
    const findings = await report(
      gateway(admin, `          - { name: list, match: { path: /, methods: [GET] }, provider: shop }
          - name: create
            match: { path: /, methods: [POST] }
            provider: shop
            access: { allow: [{ identity: customers, roles: [admin] }, { identity: customers, roles: [clerk] }] }
`),
    );
    expect(findings).toEqual([
      {
        code: "PCL4090",
        message: "route shop.v1.create replaces version v1's access (customers: a role of admin) with its own (customers: a role of admin; customers: a role of clerk): broader — it also admits role clerk of identity customers",
        hint: "check that the route is meant to admit more than its version; if not, remove its access to inherit the version's",
        path: ["apis", 0, "versions", "v1", "routes", 1, "access"],
        at: "access: { allow: [{ identity: customers, roles: [admin] }, { identity: customers, roles: [clerk] }] }",
      },
    ]);
  });

  it("says nothing of routes that inherit their version's access", async () => {
    expect(await report(gateway(admin, "          - { name: list, match: { path: /, methods: [GET] }, provider: shop }\n"))).toEqual([]);
  });
});

describe("allow rules that never decide (PCL4091)", () => {
  it("finds a rule another rule covers: more conditions on the same identity, a range inside another's", async () => {
    const findings = await report(
      gateway(
        "{ allow: [{ identity: customers, roles: [admin, clerk] }, { identity: customers, roles: [clerk], scopes: [orders:read] }, { clientCidrs: [10.0.0.0/8] }, { identity: customers, roles: [buyer], clientCidrs: [10.1.0.0/16] }] }",
        "          - { name: list, match: { path: /, methods: [GET] }, provider: shop }\n",
      ),
    );
    expect(findings.map((finding) => [finding.code, finding.message, finding.path.join(".")])).toEqual([
      ["PCL4091", "allow rule 2 (customers: scopes orders:read, a role of clerk) never decides: rule 1 (customers: a role of admin | clerk) admits every caller it admits", "apis.0.versions.v1.access.allow.1"],
      ["PCL4091", "allow rule 4 (customers: a role of buyer, from 10.1.0.0/16) never decides: rule 3 (client address: from 10.0.0.0/8) admits every caller it admits", "apis.0.versions.v1.access.allow.3"],
    ]);
  });

  it("says nothing when each rule admits someone the others do not", async () => {
    const access = "{ allow: [{ identity: customers, roles: [admin] }, { identity: customers, roles: [clerk, admin], scopes: [orders:read] }, { identity: customers, clientCidrs: [10.0.0.0/8] }] }";
    expect(await report(gateway(access, "          - { name: list, match: { path: /, methods: [GET] }, provider: shop }\n"))).toEqual([]);
  });
});

describe("routes an earlier route hides (PCL4092)", () => {
  it("finds a route under an earlier glob, and one whose methods an earlier route takes", async () => {
    const findings = await report(
      gateway(
        admin,
        `          - { name: files, match: { template: "/files/{everything=**}", methods: [GET] }, provider: shop }
          - { name: meta, match: { template: "/files/{id}/meta", methods: [GET, PUT] }, provider: shop }
          - { name: read-item, match: { template: "/items/{id}", methods: [GET] }, provider: shop }
          - { name: item, match: { template: "/items/{no}" }, provider: shop }
`,
      ),
    );
    expect(findings.map((finding) => [finding.code, finding.message, finding.at])).toEqual([
      [
        "PCL4092",
        "route shop.v1.meta (/v1/shop/files/{id}/meta) is unreachable for GET and HEAD on localhost: route shop.v1.files (/v1/shop/files/{everything=**}) comes first and takes every such request",
        '- { name: meta, match: { template: "/files/{id}/meta", methods: [GET, PUT] }, provider: shop }',
      ],
      [
        "PCL4092",
        "route shop.v1.item (/v1/shop/items/{no}) is unreachable for GET and HEAD on localhost: route shop.v1.read-item (/v1/shop/items/{id}) comes first and takes every such request",
        '- { name: item, match: { template: "/items/{no}" }, provider: shop }',
      ],
    ]);
  });

  it("says nothing of routes that overlap no earlier route for any request", async () => {
    const routes = `          - { name: item, match: { template: "/items/{id}", methods: [GET] }, provider: shop }
          - { name: meta, match: { template: "/items/{id}/meta", methods: [GET] }, provider: shop }
          - { name: all, match: { prefix: "/items" , methods: [POST] }, provider: shop }
`;
    expect(await report(gateway(admin, routes))).toEqual([]);
  });
});

describe("portcullis explain --shadowing", () => {
  const main = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts");
  const explain = async (...args: string[]) => (await promisify(execFile)(process.execPath, [main, "explain", "--shadowing", ...args], { cwd: work })).stdout;

  it("annotates each finding on its config line, and says when there is none", async () => {
    const file = join(work, "explained.yaml");
    writeFileSync(file, gateway(admin, `          - { name: list, match: { path: /, methods: [GET] }, provider: shop, access: { allow: [{ identity: customers }] } }\n`));
    const github = await explain(file, "--format", "github");
    expect(github).toMatch(/^::warning file=explained\.yaml,line=23,col=\d+,title=PCL4090::route shop\.v1\.list replaces version v1's access .*: broader — it also admits every caller of identity customers — check that/);
    writeFileSync(file, gateway(admin, "          - { name: list, match: { path: /, methods: [GET] }, provider: shop }\n"));
    expect(await explain(file)).toBe("No route overrides its version's access, no allow rule is covered by another, and no route is hidden by an earlier one.\n");
  });
});
