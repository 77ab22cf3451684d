/** The route review summary in the generated index, and `diff` reading it instead of Envoy route metadata. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeDiff } from "../../src/review/resource-diff.ts";
import { compileGatewayFile } from "../../src/compile.ts";
import { INDEX_FILE, renderSnapshot } from "../../src/xds/render.ts";

const source = readFileSync(join(import.meta.dirname, "..", "golden", "route-matches", "gateway.yaml"), "utf8");
const work = mkdtempSync(join(tmpdir(), "portcullis-route-summary-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function render(yaml: string): Promise<Map<string, string>> {
  const file = join(work, "gateway.yaml");
  writeFileSync(file, yaml);
  const result = await compileGatewayFile(file, { secrets: "placeholder" });
  expect(result.snapshot, JSON.stringify(result.diagnostics)).toBeDefined();
  return renderSnapshot(result.snapshot!, result.ir!.routes);
}

describe("route review summary", () => {
  it("lives in the index keyed by route id, while Envoy's route metadata holds only api and version", async () => {
    const files = await render(source);
    const index = files.get(INDEX_FILE)!;
    expect(index).toMatch(/\nroutes:\n {2}orders\.v1\.admin:\n/);
    expect(index).toMatch(/\n {2}orders\.v1\.create:\n {4}path: \/v1\/orders\n {4}methods: POST\n/);
    expect(index).toContain("access: public (golden case needs no identity)");
    expect(index).not.toMatch(/[&*]a\d/); // shared hostname lists are written out, not aliased
    const routes = files.get("routes/web_v1_orders.yaml")!;
    expect(routes).not.toContain("public_reason");
    expect(routes).not.toContain("lifecycle:");
  });

  it("diff shows a review-only change whose Envoy resource is unchanged", async () => {
    const before = await render(source);
    const after = await render(source.replace("reason: golden case needs no identity", "reason: still needs no identity"));
    expect(after.get("routes/web_v1_orders.yaml")).toBe(before.get("routes/web_v1_orders.yaml"));
    const lines = describeDiff(before, after);
    expect(lines).toContain("~ changed  routes/web_v1_orders (review summary only)");
    expect(lines.join("\n")).toContain("access public (golden case needs no identity) → public (still needs no identity)");
  });

  it("diff against identical output says nothing", async () => {
    const files = await render(source);
    expect(describeDiff(files, files)).toEqual([]);
  });
});
