import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE_NAMES } from "../../src/config/discover.ts";
import { loadConfig } from "../../src/config/load.ts";

const examples = join(import.meta.dirname, "..", "..", "examples");

// Example gateways; other example folders (a CI workflow) hold no config.
const gateways = readdirSync(examples)
  .filter((name) => CONFIG_FILE_NAMES.some((file) => existsSync(join(examples, name, file))))
  .sort();

describe("examples", () => {
  it("covers both bundled gateways", () => {
    expect(gateways).toEqual(expect.arrayContaining(["quickstart", "typescript"]));
  });

  it.each(gateways)("examples/%s loads and validates without findings", async (name) => {
    const result = await loadConfig(join(examples, name));
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.gateway.name).toBeTruthy();
  });
});
