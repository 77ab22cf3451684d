import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";

const root = join(import.meta.dirname, "..", "..");
const sameGateway = {
  typescript: join(root, "examples", "typescript", "gateway.config.ts"),
  yaml: join(root, "test", "fixtures", "equivalent", "gateway.yaml"),
  json: join(root, "test", "fixtures", "equivalent", "gateway.json"),
};

describe("one gateway, three formats", () => {
  it("loads gateway.config.ts, gateway.yaml and gateway.json to the identical model", async () => {
    const [ts, yaml, json] = await Promise.all([loadConfig(sameGateway.typescript), loadConfig(sameGateway.yaml), loadConfig(sameGateway.json)]);
    for (const result of [ts, yaml, json]) expect(result.diagnostics).toEqual([]);
    expect(ts.config).toBeDefined();
    expect(yaml.config).toStrictEqual(ts.config);
    expect(json.config).toStrictEqual(ts.config);
    // Serialised the same way, so later stages produce byte-identical output from either.
    expect(JSON.stringify(yaml.config)).toBe(JSON.stringify(ts.config));
  });

  it("locates the same model path in each format's own syntax", async () => {
    const path = ["apis", 0, "versions", "v2", "routes", 1, "provider"];
    const ts = await loadConfig(sameGateway.typescript);
    const yaml = await loadConfig(sameGateway.yaml);
    const location = ts.locate(path);
    expect(location?.file).toBe(sameGateway.typescript);
    // The location lands on the value of that route's own `provider:` property.
    const line = readFileSync(sameGateway.typescript, "utf8").split("\n")[(location?.line ?? 0) - 1] ?? "";
    expect(line.slice(0, (location?.column ?? 0) - 1)).toMatch(/^\s*provider: $/);
    expect(line.slice((location?.column ?? 0) - 1)).toMatch(/^"orders",/);
    expect(yaml.locate(path)?.file).toBe(sameGateway.yaml);
    expect(yaml.locate(path, "key")?.column).toBeLessThan(yaml.locate(path)?.column ?? 0);
  });

  it("discovers gateway.config.ts before gateway.yaml in a directory", async () => {
    const found = await loadConfig(undefined, { cwd: join(root, "examples", "typescript") });
    expect(found.file).toBe(sameGateway.typescript);
    const missing = await loadConfig(undefined, { cwd: join(root, "test", "fixtures") });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(["PCL1001"]);
  });
});
