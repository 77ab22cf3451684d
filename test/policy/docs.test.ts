/**
 * policies/README.md documents the rules and the view rule expressions read; both tables are made
 * from the packs and src/policy/view-schema.ts (docs-tables.ts), so the documentation cannot drift.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ruleTable, viewReference } from "./docs-tables.ts";

const readme = readFileSync(join(import.meta.dirname, "..", "..", "policies", "README.md"), "utf8");

describe("policies/README.md", () => {
  it("lists every built-in rule as the packs define it", () => {
    expect(readme).toContain(ruleTable());
  });

  it("documents every object and field of the policy view", () => {
    expect(readme).toContain(viewReference());
  });
});
