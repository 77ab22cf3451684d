/**
 * Policy results in `compile --check`: the examples pass with both packs on, and a finding is
 * placed at its config line in text, JSON and GitHub annotations; waived findings are listed.
 * A rule that covers a compile code stays silent where that code already said it (one finding, not two).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import { isRuleId } from "../../src/policy/codes.ts";
import { shopYaml } from "./policy-config.ts";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "portcullis-policy-check-"));

async function check(file: string, format: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, "src", "cli", "main.ts"), "compile", "--check", file, "--format", format], { cwd: dir });
    return { code: 0, stdout };
  } catch (error) {
    return error as { code: number; stdout: string };
  }
}

/** A gateway whose `list` route (line 13) denies every caller, and whose `get` route is waived for the same rule. */
function gateway(): string {
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    shopYaml(
      [],
      ["routes:", "  - { name: list, match: { path: / }, provider: app }", "  - { name: get, match: { template: '/{id}' }, provider: app }"],
      ["policy:", "  waivers:", "    - { rule: PCL-ZT-001, target: apis.shop.versions.v1.routes.get, reason: opened in the next release, owner: team-shop, expires: 2999-12-31 }"],
    ),
  );
  return file;
}

describe("compile --check with the policy packs", () => {
  it.each(["quickstart/gateway.yaml", "typescript/gateway.config.ts"])("examples/%s has no policy finding", async (example) => {
    const result = await compileGatewayFile(join(root, "examples", example), { secrets: "placeholder" });
    expect(result.diagnostics.filter((d) => isRuleId(d.code) || d.code.startsWith("PCL5"))).toEqual([]);
    expect(result.snapshot).toBeDefined();
  });

  it("the TypeScript example's waivers are real: each waives a finding", async () => {
    const result = await compileGatewayFile(join(root, "examples", "typescript", "gateway.config.ts"), { secrets: "placeholder" });
    expect(result.waived?.map((w) => `${w.rule} ${w.target}`)).toEqual(["PCL-ZT-004 providers.local", "PCL-ZT-003 apis.orders.versions.v2.routes.fulfil", "PCL-ZT-003 apis.orders.versions.v2.routes.stats"]);
  });

  it("text: the finding with its code frame, and the waived one listed", async () => {
    const { stdout } = await check(gateway(), "text");
    expect(stdout).toContain("gateway.yaml:13:13: warning PCL-ZT-001: Route shop.v1.list has no allow rule and is not public, so it answers 403 to every caller.");
    expect(stdout).toContain("  13 |           - { name: list, match: { path: / }, provider: app }");
    expect(stdout).toContain("waived PCL-ZT-001 at apis.shop.versions.v1.routes.get until 2999-12-31 (owner team-shop): Route shop.v1.get has no allow rule");
  });

  it("json: code, severity, message, fix and location", async () => {
    const { stdout } = await check(gateway(), "json");
    const { diagnostics } = JSON.parse(stdout) as { diagnostics: { code: string; severity: string; hint: string; location: { file: string; line: number } }[] };
    expect(diagnostics.filter((d) => d.code === "PCL-ZT-001")).toEqual([
      expect.objectContaining({ severity: "warning", hint: expect.stringContaining("access: { allow: [...] }"), location: expect.objectContaining({ file: "gateway.yaml", line: 13 }) }),
    ]);
  });

  it("github: an annotation on the config line", async () => {
    const { stdout } = await check(gateway(), "github");
    expect(stdout).toContain("::warning file=gateway.yaml,line=13,col=13,title=PCL-ZT-001::Route shop.v1.list has no allow rule");
  });

  it("a plaintext upstream without a justification is reported once, by the config check, not again by PCL-ZT-004", async () => {
    const file = join(dir, "permissive.yaml");
    writeFileSync(file, gatewayText().replace("plaintext: { reason: test backend on loopback } ", "").replace("127.0.0.1:9999", "10.0.0.9:9999").concat("zeroTrust: { mode: permissive }\n"));
    const result = await compileGatewayFile(file, { secrets: "placeholder" });
    expect(result.diagnostics.filter((d) => d.path?.[0] === "providers").map((d) => `${d.code} ${d.severity}`)).toEqual(["PCL3017 warning"]);
  });
});

function gatewayText(): string {
  return readFileSync(gateway(), "utf8");
}
