import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";

const examples = join(import.meta.dirname, "..", "..", "examples");

describe("examples", () => {
  it.each(readdirSync(examples).sort())("examples/%s loads and validates without findings", async (name) => {
    const result = await loadConfig(join(examples, name));
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.gateway.name).toBeTruthy();
  });
});
