import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accessMatrix } from "../../src/access/matrix.ts";
import { buildCatalog } from "../../src/catalog/build.ts";
import type { CatalogData } from "../../src/catalog/model.ts";
import { renderCatalogPage } from "../../src/catalog/page.ts";
import { compileGatewayFile } from "../../src/compile.ts";
import { CATALOG_CONFIG, writeCatalogFixture } from "./catalog-fixture.ts";

async function catalogOf(file: string) {
  const compiled = await compileGatewayFile(file, { secrets: "placeholder" });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { compiled, ...buildCatalog([{ ir: compiled.ir!, file: compiled.file, ...(compiled.locate ? { locate: compiled.locate } : {}) }]) };
}

const routesOf = (data: CatalogData) => data.gateways.flatMap((g) => g.teams.flatMap((t) => t.apis.flatMap((a) => [...a.versions.flatMap((v) => v.routes), ...a.unversioned])));

describe("API catalog", () => {
  it("groups APIs by owning team, with every version's lifecycle and the OpenAPI operations", async () => {
    const { data, diagnostics } = await catalogOf(writeCatalogFixture());
    expect(diagnostics).toEqual([]);
    const [gateway] = data.gateways;
    expect(gateway!.baseUrls).toEqual(["http://shop.example:18443"]);
    expect(gateway!.teams.map((team) => [team.name, team.apis.map((api) => api.name)])).toEqual([
      ["team-orders", ["orders"]],
      ["team-warehouse", ["stock"]],
    ]);
    const orders = gateway!.teams[0]!.apis[0]!;
    expect(orders.versions.map((v) => [v.name, v.state, v.sunset ?? null, v.routes.length])).toEqual([
      ["v1", "deprecated", "2030-06-30", 1],
      ["v2", "published", null, 2],
      ["v3", "draft", null, 0],
    ]);
    expect(orders.openapi).toMatchObject({ title: "Orders API", specVersion: "3.1.0" });
    expect(orders.openapi!.operations.map((op) => `${op.method} ${op.path}${op.deprecated ? " (deprecated)" : ""}`)).toEqual(["GET /", "POST /", "GET /{id} (deprecated)"]);
    const stock = gateway!.teams[1]!.apis[0]!;
    expect(stock.versions.map((v) => [v.name, v.state, v.routes.length])).toEqual([["v0", "retired", 0], ["v1", "published", 1]]);
    expect(stock.versions[1]!.routes[0]).toMatchObject({ path: "/v1/stock/{sku}", publicReason: "stock levels are published on the shop anyway", urls: ["http://shop.example:18443/v1/stock/{sku}"] });
    expect(stock.unversioned.map((route) => [route.id, route.path, route.publicReason])).toEqual([["stock.-.health", "/stock/health", "load balancers probe it"]]);
    const create = routesOf(data).find((route) => route.id === "orders.v2.create")!;
    expect(create.rateLimits).toEqual(["5 requests per second in total, per Envoy"]);
  });

  it("shows exactly the callers the access matrix (explain) admits, per route and method", async () => {
    const { data, compiled } = await catalogOf(writeCatalogFixture());
    const matrix = accessMatrix(compiled.ir!);
    const callable = new Set(compiled.ir!.routes.filter((route) => route.action.kind !== "gone" && !route.ai).map((route) => route.id));
    const fromMatrix = matrix.columns.filter((c) => callable.has(c.route)).map((c) => ({ route: c.route, method: c.method, allowed: matrix.cells.filter((cell) => cell.route === c.route && cell.method === c.method && cell.outcome === "allow").map((cell) => cell.caller) }));
    const fromCatalog = routesOf(data).flatMap((route) => route.access.map((a) => ({ route: route.id, method: a.method, allowed: [...a.allowed] })));
    const key = (row: { route: string; method: string }) => `${row.route} ${row.method}`;
    expect([...fromCatalog].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...fromMatrix].sort((a, b) => key(a).localeCompare(key(b))));
    // The rules really differ per route: only admins may create, clerks and admins list.
    expect(fromCatalog.find((row) => row.route === "orders.v2.create")!.allowed).toEqual(["jwt:staff[roles=admin]"]);
    expect(fromCatalog.find((row) => row.route === "orders.v2.list")!.allowed.sort()).toEqual(["jwt:staff[roles=admin]", "jwt:staff[roles=clerk]"]);
  });

  it("lists the AI models with their catalog prices (the TypeScript example)", async () => {
    const { data } = await catalogOf(join(process.cwd(), "examples/typescript/gateway.config.ts"));
    const models = data.gateways[0]!.models;
    expect(models.length).toBeGreaterThan(0);
    const priced = models.filter((m) => m.inputPerMillion !== undefined);
    expect(priced.length).toBeGreaterThan(0);
    for (const model of priced) expect(model.outputPerMillion).toBeGreaterThan(0);
    expect(models.find((m) => m.model === "llama-3.1-8b")).not.toHaveProperty("inputPerMillion");
  });

  it("reports a declared OpenAPI document that is missing, or is not OpenAPI, at the config line that names it", async () => {
    const missing = await catalogOf(writeCatalogFixture({ openapi: null }));
    const line = CATALOG_CONFIG.split("\n").findIndex((l) => l.includes("openapi: openapi/orders.yaml")) + 1;
    expect(missing.diagnostics.map((d) => [d.code, d.severity, d.location?.line])).toEqual([["PCL4110", "error", line]]);
    expect(missing.diagnostics[0]!.message).toContain('OpenAPI document openapi/orders.yaml of API "orders" cannot be read (ENOENT)');
    const notOpenApi = await catalogOf(writeCatalogFixture({ openapi: "title: not an api\npaths: {}\n" }));
    expect(notOpenApi.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([["PCL4111", line]]);
    const broken = await catalogOf(writeCatalogFixture({ openapi: "openapi: [unclosed\n" }));
    expect(broken.diagnostics.map((d) => d.code)).toEqual(["PCL4111"]);
  });

  it("renders a deterministic, self-contained page that escapes the config's text", async () => {
    const file = writeCatalogFixture();
    const first = renderCatalogPage((await catalogOf(file)).data);
    const second = renderCatalogPage((await catalogOf(file)).data);
    expect(first).toBe(second);
    expect(first).toContain("Create and track orders &lt;b&gt;fast&lt;/b&gt;.");
    expect(first).not.toContain("<b>fast</b>");
    // No external asset: nothing is fetched from anywhere.
    expect(first).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//);
    expect(first).toMatch(/Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-/);
  });

  it("the TypeScript example's OpenAPI document is found and summarized", async () => {
    const { data, diagnostics } = await catalogOf(join(process.cwd(), "examples/typescript/gateway.config.ts"));
    expect(diagnostics).toEqual([]);
    const orders = data.gateways[0]!.teams.flatMap((t) => t.apis).find((api) => api.name === "orders")!;
    expect(orders.openapi!.operations.map((op) => op.operationId).sort()).toEqual(readFileSync(join(process.cwd(), "examples/typescript/openapi/orders.yaml"), "utf8").match(/operationId: (\w+)/g)!.map((m) => m.slice("operationId: ".length)).sort());
  });
});
