import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../src/access/matrix.ts";
import { compileGatewayFile } from "../../src/compile.ts";
import { grant, grantsConfig } from "./grants-config.ts";

const NOW = Date.parse("2027-01-10T12:00:00Z");
const base = { requester: "jane@acme.example", approver: "sam@shop.example", reason: '"partner onboarding for the Q1 pilot"' };

async function compile(grants: string, now = NOW) {
  const file = join(mkdtempSync(join(tmpdir(), "portcullis-grants-")), "gateway.yaml");
  writeFileSync(file, grantsConfig({ grants }));
  return compileGatewayFile(file, { secrets: "placeholder", now });
}

/** The 1-based line of the config that holds `text` (a grant's fields are in a fixed order, so any grant will do). */
const lineOf = (text: string) => grantsConfig({ grants: grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "x" }) }).split("\n").findIndex((line) => line.includes(text)) + 1;

/** Who may call each route and method, as `explain` decides it. */
function allowed(ir: NonNullable<Awaited<ReturnType<typeof compile>>["ir"]>): Record<string, string[]> {
  const matrix = accessMatrix(ir);
  const out: Record<string, string[]> = {};
  for (const column of matrix.columns) {
    out[`${column.method} ${column.route}`] = matrix.cells.filter((cell) => cell.route === column.route && cell.method === column.method && cell.outcome === "allow").map((cell) => cell.caller);
  }
  return out;
}

describe("access grants", () => {
  it("a grant to a consumer admits it on every route of the version, and nobody else", async () => {
    const result = await compile(grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "2027-03-31T18:00:00Z" }));
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(allowed(result.ir!)).toMatchObject({ "GET orders.v2.list": ["apiKey:partners/acme"], "POST orders.v2.create": ["apiKey:partners/acme"] });
    expect(result.ir!.grants).toEqual([expect.objectContaining({ grantee: "consumer acme", active: true, expires: "2027-03-31T18:00:00Z", requester: "jane@acme.example" })]);
  });

  it("a grant to a team admits each of its consumers; a grant to a subject admits that token subject; routes narrow it", async () => {
    const team = await compile(grant({ to: "{ team: payments }", api: "orders", version: "v2", routes: "[list]", ...base, expires: "2027-03-31T18:00:00Z" }));
    expect(allowed(team.ir!)).toMatchObject({ "GET orders.v2.list": ["apiKey:partners/acme", "apiKey:partners/globex"], "POST orders.v2.create": [] });
    const subject = await compile(grant({ to: "{ identity: staff, subject: svc-batch }", api: "orders", version: "v2", ...base, expires: "2027-03-31T18:00:00Z" }));
    expect(allowed(subject.ir!)["GET orders.v2.list"]).toEqual(["jwt:staff[sub=svc-batch]"]);
  });

  it("an expired grant gives no access and is reported where its expiry is written", async () => {
    const result = await compile(grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "2027-01-10T11:59:59Z" }));
    expect(allowed(result.ir!)["GET orders.v2.list"]).toEqual([]);
    expect(result.ir!.grants[0]!.active).toBe(false);
    expect(result.diagnostics.filter((d) => d.code === "PCL4114").map((d) => [d.severity, d.location?.line])).toEqual([["warning", lineOf("expires:")]]);
    // One millisecond earlier, the same grant still admits.
    const before = await compile(grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "2027-01-10T11:59:59Z" }), Date.parse("2027-01-10T11:59:58.999Z"));
    expect(allowed(before.ir!)["GET orders.v2.list"]).toEqual(["apiKey:partners/acme"]);
  });

  it("refuses grants that name nothing or approve themselves, located", async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ to: "{ consumer: nobody }" }, "PCL4112", 'no API-key identity has a consumer "nobody"'],
      [{ to: "{ team: nobody }" }, "PCL4112", 'no API-key consumer belongs to team "nobody"'],
      [{ to: "{ identity: partners, subject: x }" }, "PCL4112", '"partners" is not a JWT identity'],
      [{ api: "payments" }, "PCL4112", 'API "payments"'],
      [{ version: "v9" }, "PCL4112", 'version "v9"'],
      [{ routes: "[delete]" }, "PCL4112", 'route "delete"'],
      [{ approver: "Jane@acme.example " }, "PCL4113", "approved by its own requester"],
    ];
    for (const [override, code, message] of cases) {
      const result = await compile(grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "2027-03-31T18:00:00Z", ...override }));
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      expect({ override, codes: errors.map((d) => d.code) }).toEqual({ override, codes: [code] });
      expect(errors[0]!.message).toContain(message);
      expect(errors[0]!.location?.line).toBeGreaterThan(lineOf("grants:"));
    }
  });

  it("an expiry without a time zone offset is refused by the schema", async () => {
    const result = await compile(grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "2027-03-31" }));
    expect(result.diagnostics.map((d) => d.code)).toContain("PCL2005");
  });
});

describe("access grants in the catalog", () => {
  it("shows who holds access, on which version and until when, and which grants have expired", async () => {
    const { buildCatalog } = await import("../../src/catalog/build.ts");
    const { renderCatalogPage } = await import("../../src/catalog/page.ts");
    const grants = [
      grant({ to: "{ consumer: acme }", api: "orders", version: "v2", ...base, expires: "2027-03-31T18:00:00Z" }),
      grant({ to: "{ team: payments }", api: "orders", version: "v2", routes: "[list]", ...base, expires: "2026-12-31T00:00:00Z" }),
    ].join("\n");
    const result = await compile(grants);
    const { data } = buildCatalog([{ ir: result.ir!, file: result.file }]);
    const orders = data.gateways[0]!.teams[0]!.apis[0]!;
    expect(orders.grants.map((g) => [g.grantee, g.version, g.routes ?? null, g.expires, g.active])).toEqual([
      ["consumer acme", "v2", null, "2027-03-31T18:00:00Z", true],
      ["team payments", "v2", ["list"], "2026-12-31T00:00:00Z", false],
    ]);
    const page = renderCatalogPage(data);
    expect(page).toContain('<tr class="grant" data-grantee="consumer acme"><td>consumer acme</td><td>v2</td><td>until 2027-03-31T18:00:00Z</td>');
    expect(page).toContain("expired 2026-12-31T00:00:00Z");
  });
});
