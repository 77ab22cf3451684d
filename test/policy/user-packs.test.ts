/**
 * Users' own packs (policy.packs): their rules run beside the built-in ones and their findings are
 * placed at the config line they are about; a broken rule is an error at the file, line and column
 * in the pack where it breaks.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import type { Diagnostic } from "../../src/config/diagnostics.ts";
import { shopYaml, TODAY } from "./policy-config.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-user-packs-"));

/** A clean gateway with `packs` (line 2 holds policy.packs), `settings` at the end of policy, and a rate-limited route. */
function gateway(packs: string[], settings: string[] = []): string {
  const file = join(dir, `gateway-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    shopYaml(
      ["policy:", `  packs: ${JSON.stringify(packs)}`, ...settings],
      [
        "access: { public: { reason: the public shop front } }",
        "routes:",
        "  - { name: browse, match: { prefix: / }, provider: app }",
        "  - name: buy",
        "    match: { path: /buy, methods: [POST] }",
        "    provider: app",
        "    rateLimit: { requests: 5000, per: second }",
      ],
    ),
  );
  return file;
}

function pack(name: string, rules: string): string {
  const file = join(dir, name);
  writeFileSync(file, `pack: shop-rules\nrules:\n${rules}`);
  return file;
}

const RULE = (when: string, extra = "") =>
  [
    "  - id: SHOP-001",
    "    title: Rate limit too generous",
    "    severity: error",
    "    for: route",
    `    when: ${when}`,
    '    message: "Route {route.id} allows {route.rateLimit.requests} requests per {route.rateLimit.periodSeconds}s."',
    "    rationale: Backends of the shop take at most 1000 requests a second.",
    "    fix: Lower rateLimit.requests to 1000 or less.",
    extra,
  ].join("\n");

/** A rule that never finds anything (a YAML string, so CEL reads `false`). */
const NEVER = '"false"';

async function findings(packs: string[]): Promise<readonly Diagnostic[]> {
  return (await compileGatewayFile(gateway(packs), { secrets: "placeholder", env: {}, today: TODAY })).diagnostics;
}

const where = (d: Diagnostic) => `${d.location?.file.replace(`${dir}/`, "")}:${d.location?.line}:${d.location?.column}`;

describe("user packs", () => {
  it("run their rules and place findings at the config line they are about", async () => {
    pack("limits.yaml", RULE("has(route.rateLimit) && route.rateLimit.requests > 1000", "    at: rateLimit"));
    const [finding, ...rest] = await findings(["./limits.yaml"]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ code: "SHOP-001", severity: "error", message: "Route shop.v1.buy allows 5000 requests per 1s.", hint: "Lower rateLimit.requests to 1000 or less." });
    expect(finding!.location).toMatchObject({ line: 20, column: 24 });
  });

  it("a user rule's severity can be changed, and its findings waived, like a built-in one", async () => {
    pack("limits.yaml", RULE("has(route.rateLimit) && route.rateLimit.requests > 1000"));
    const lowered = await compileGatewayFile(gateway(["./limits.yaml"], ["  rules: { SHOP-001: warning }"]), { secrets: "placeholder", env: {}, today: TODAY });
    expect(lowered.diagnostics.filter((d) => d.code === "SHOP-001").map((d) => d.severity)).toEqual(["warning"]);
    const waiver = "  waivers: [{ rule: SHOP-001, target: apis.shop.versions.v1.routes.buy, reason: the checkout backend was scaled for the sale, owner: team-shop, expires: 2026-07-01 }]";
    const waived = await compileGatewayFile(gateway(["./limits.yaml"], [waiver]), { secrets: "placeholder", env: {}, today: TODAY });
    expect(waived.diagnostics.filter((d) => d.code === "SHOP-001")).toEqual([]);
    expect(waived.waived?.map((w) => [w.rule, w.target])).toEqual([["SHOP-001", "apis.shop.versions.v1.routes.buy"]]);
  });

  it("a pack that cannot be read is an error at its entry in policy.packs", async () => {
    const [finding] = await findings(["./missing.yaml"]);
    expect(finding).toMatchObject({ code: "PCL5001", severity: "error", message: "policy pack ./missing.yaml cannot be read (ENOENT)" });
    expect(finding!.location?.line).toBe(2);
  });

  it("an expression that does not parse is an error at its line and column in the pack", async () => {
    pack("syntax.yaml", RULE("route.rateLimit.requests > > 1000"));
    const [finding] = await findings(["./syntax.yaml"]);
    expect(finding!.code).toBe("PCL5003");
    expect(where(finding!)).toBe("syntax.yaml:7:36");
  });

  it("a misspelt field is a type error at that field, with the field it probably meant", async () => {
    pack("typo.yaml", RULE("has(route.rateLimit) && route.rateLimit.reqests > 1000"));
    const [finding] = await findings(["./typo.yaml"]);
    expect(finding).toMatchObject({ code: "PCL5004", message: "rule SHOP-001: RateLimit has no field 'reqests'; did you mean 'requests'?" });
    expect(where(finding!)).toBe("typo.yaml:7:50");
  });

  it("a block-scalar expression is located on its own line", async () => {
    pack("block.yaml", RULE("|\n      has(route.rateLimit) &&\n        route.limit > 1000"));
    const [finding] = await findings(["./block.yaml"]);
    expect(finding).toMatchObject({ code: "PCL5004", message: "rule SHOP-001: Route has no field 'limit'" });
    expect(where(finding!)).toBe("block.yaml:9:14");
  });

  it("a comparison of mismatched types, and a rule that is not a bool, are type errors", async () => {
    pack("types.yaml", RULE('route.methods == "GET"'));
    expect((await findings(["./types.yaml"]))[0]!.message).toBe("rule SHOP-001: '==' does not take (list(string), string)");
    pack("not-bool.yaml", RULE("size(route.methods)"));
    expect((await findings(["./not-bool.yaml"]))[0]!.message).toBe("rule SHOP-001: 'when' is int, but must be a bool (true where the rule finds a problem)");
  });

  it("a message placeholder must name a field", async () => {
    pack("placeholder.yaml", RULE(NEVER).replace("{route.rateLimit.requests}", "{route.rateLimit.requets}"));
    const [finding] = await findings(["./placeholder.yaml"]);
    expect(finding).toMatchObject({ code: "PCL5004", message: "rule SHOP-001: message placeholder {route.rateLimit.requets}: RateLimit has no field 'requets'; did you mean 'requests'?" });
    expect(where(finding!)).toBe("placeholder.yaml:8:14");
  });

  it("an optional field read without has() fails the rule where it runs, at the rule", async () => {
    pack("unguarded.yaml", RULE("route.rateLimit.requests > 1000"));
    const [finding] = await findings(["./unguarded.yaml"]);
    expect(finding).toMatchObject({ code: "PCL5006", severity: "error" });
    expect(finding!.message).toContain("rule SHOP-001 failed on apis.shop.versions.v1.routes.browse");
    expect(where(finding!)).toBe("unguarded.yaml:7:11");
  });

  // Subjects reach CEL with the fields their kind's rules name (src/policy/evaluate.ts fieldsRead): every way of naming one must still read it.
  it("a rule reads any field of its subject: one no built-in rule reads, across lines, or through the subject used whole", async () => {
    const rule = (id: string, when: string) =>
      [`  - id: ${id}`, "    title: Test rule", "    severity: warning", "    for: route", `    when: ${when}`, '    message: "Route {route.id} matched."', "    rationale: Test.", "    fix: None."].join("\n");
    pack(
      "fields.yaml",
      [
        rule("SHOP-101", '\'"api.test" in route.hostnames && route.name == "browse"\''),
        rule("SHOP-102", '|\n      route\n        .versionAccess.kind == "public" && route.methods == ["POST"]'),
        rule("SHOP-103", '\'[route].exists(r, r.upstream == "app" && has(r.rateLimit))\''),
      ].join("\n"),
    );
    const found = (await findings(["./fields.yaml"])).filter((d) => d.code.startsWith("SHOP-")).map((d) => [d.code, d.message]);
    expect(found).toEqual([
      ["SHOP-101", "Route shop.v1.browse matched."],
      ["SHOP-102", "Route shop.v1.buy matched."],
      ["SHOP-103", "Route shop.v1.buy matched."],
    ]);
  });

  it("ids are checked: the PCL- prefix is reserved, and an id is defined once", async () => {
    pack("reserved.yaml", RULE(NEVER).replace("SHOP-001", "PCL-ZT-099"));
    expect((await findings(["./reserved.yaml"]))[0]).toMatchObject({ code: "PCL5005", message: "rule PCL-ZT-099: the PCL- prefix is reserved for Portcullis's built-in rules" });
    pack("one.yaml", RULE(NEVER));
    pack("two.yaml", RULE(NEVER));
    const [twice] = await findings(["./one.yaml", "./two.yaml"]);
    expect(twice).toMatchObject({ code: "PCL5005", message: "rule SHOP-001 is defined twice" });
    expect(where(twice!)).toBe("two.yaml:3:9");
  });

  it("unknown keys and missing fields of a pack are located errors", async () => {
    pack("keys.yaml", RULE(NEVER, "    sevrity: error").replace("    fix: Lower rateLimit.requests to 1000 or less.\n", ""));
    const found = await findings(["./keys.yaml"]);
    expect(found.map((d) => [d.code, d.message, where(d)])).toEqual([
      ["PCL5002", "unknown key 'sevrity'", "keys.yaml:10:5"],
      ["PCL5002", "the rule needs 'fix' as text", "keys.yaml:3:5"],
    ]);
    expect(found[0]!.hint).toBe("did you mean 'severity'?");
  });
});
