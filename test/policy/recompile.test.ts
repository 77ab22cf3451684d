/**
 * Rule results are remembered per subject across recompiles (src/policy/evaluate.ts): a route a
 * reload left alone keeps its subject and its outcome. These edits of one file, each reread item by
 * item as `serve --watch` does, check that what is remembered never outlives what it was about: an
 * edited route is judged again, an untouched one keeps its finding, and a changed rule, or another
 * day for a rule that reads `today`, judges every subject again.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import { changed, compile, shopYaml, TODAY } from "./policy-config.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-policy-recompile-"));
const file = join(dir, "gateway.yaml");
const packFile = join(dir, "limits.yaml");

function writePack(limit: number) {
  writeFileSync(
    packFile,
    [
      "pack: shop-rules",
      "rules:",
      "  - id: SHOP-001",
      "    title: Rate limit too generous",
      "    severity: error",
      "    for: route",
      `    when: has(route.rateLimit) && route.rateLimit.requests > ${limit}`,
      '    message: "Route {route.id} allows {route.rateLimit.requests} requests a second."',
      "    rationale: The shop's backends take a limited rate.",
      `    fix: Lower rateLimit.requests to ${limit} or less.`,
      "",
    ].join("\n"),
  );
}

function writeGateway(browse: number, buy: number) {
  writeFileSync(
    file,
    shopYaml(
      ["policy:", '  packs: ["./limits.yaml"]'],
      [
        "access: { public: { reason: the public shop front } }",
        "routes:",
        "  - name: browse",
        "    match: { prefix: / }",
        "    provider: app",
        `    rateLimit: { requests: ${browse}, per: second }`,
        "  - name: buy",
        "    match: { path: /buy, methods: [POST] }",
        "    provider: app",
        `    rateLimit: { requests: ${buy}, per: second }`,
      ],
    ),
  );
}

async function flagged(): Promise<string[]> {
  const result = await compileGatewayFile(file, { secrets: "placeholder", env: {}, today: TODAY });
  expect(result.diagnostics.filter((d) => d.severity === "error" && d.code !== "SHOP-001")).toEqual([]);
  return result.diagnostics.filter((d) => d.code === "SHOP-001").map((d) => d.message).sort();
}

describe("rule results remembered across recompiles", () => {
  it("follow the date: the same config, compiled again the day after a sunset, has the rule that reads today find it", () => {
    const config = changed((c) => {
      Object.assign(c.apis![0]!.versions["v1"]!, { state: "deprecated", deprecatedOn: "2026-01-01", sunset: "2026-06-01", successor: "v2" });
      c.apis![0]!.versions["v2"] = { state: "published", access: { allow: [{ identity: "customers" }] }, routes: [{ match: { path: "/" }, provider: "orders" }] };
    });
    const sunsetPassed = (today: string) => compile(config, { today }).diagnostics.filter((d) => d.code === "PCL-GOV-004").length;
    expect(sunsetPassed("2026-06-01")).toBe(0);
    expect(sunsetPassed("2026-06-02")).toBe(1);
    expect(sunsetPassed("2026-06-01")).toBe(0);
  });

  it("follow each edit of a route and of the rule", async () => {
    writePack(1000);
    writeGateway(100, 5000);
    expect(await flagged()).toEqual(["Route shop.v1.buy allows 5000 requests a second."]);
    writeGateway(100, 500);
    expect(await flagged()).toEqual([]);
    writeGateway(2000, 500);
    expect(await flagged()).toEqual(["Route shop.v1.browse allows 2000 requests a second."]);
    // The same routes, a rule with another limit: every route is judged again.
    writePack(3000);
    expect(await flagged()).toEqual([]);
    writeGateway(2000, 5000);
    expect(await flagged()).toEqual(["Route shop.v1.buy allows 5000 requests a second."]);
    writePack(1000);
    expect(await flagged()).toEqual(["Route shop.v1.browse allows 2000 requests a second.", "Route shop.v1.buy allows 5000 requests a second."]);
  });
});
