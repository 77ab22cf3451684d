/**
 * How often policy rules are evaluated, counted on the built-in rules: subjects equal in the fields
 * their rules read share one evaluation, and what evaluation keeps between compiles is kept per
 * gateway — `serve` compiles several gateways in turn, and one gateway's rule set (its own packs)
 * must not end another's remembered outcomes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { CompiledRule } from "../../src/policy/pack-compile.ts";
import { builtInRules } from "../../src/policy/packs.ts";
import { manyApisConfig, TODAY } from "./policy-config.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-policy-state-"));
writeFileSync(
  join(dir, "own.yaml"),
  [
    "pack: own",
    "rules:",
    "  - id: OWN-001",
    "    title: Route named old",
    "    severity: warning",
    "    for: route",
    '    when: route.name.startsWith("old")',
    '    message: "Route {route.id} is named old."',
    "    rationale: Test rule.",
    "    fix: Rename it.",
    "",
  ].join("\n"),
);

function config(name: string, packs: string[]): GatewayConfig {
  const config = manyApisConfig(name, 6, 10, (r) => `${r % 2 === 0 ? "old" : "r"}${r}`);
  return packs.length > 0 ? { ...config, policy: { packs } } : config;
}

// Every built-in rule's evaluation is counted (the rule objects are the ones every compile uses), and the route rules' apart.
let evaluations = 0;
let routeEvaluations = 0;
const originals = new Map<CompiledRule, CompiledRule["evaluate"]>();
for (const rule of builtInRules()) {
  const evaluate = rule.evaluate;
  originals.set(rule, evaluate);
  (rule as { evaluate: CompiledRule["evaluate"] }).evaluate = (bindings) => {
    evaluations++;
    if (rule.subject === "route") routeEvaluations++;
    return evaluate(bindings);
  };
}
afterAll(() => {
  for (const [rule, evaluate] of originals) (rule as { evaluate: CompiledRule["evaluate"] }).evaluate = evaluate;
});

const counted = (compile: () => void) => {
  const before = evaluations;
  compile();
  return evaluations - before;
};

describe("policy evaluation", () => {
  it("evaluates the route rules once for routes equal in the fields they read", () => {
    const options = { file: join(dir, "gateway.yaml"), today: TODAY, secrets: "placeholder" as const, env: {} };
    const routeRulesOn = (config: GatewayConfig) => {
      const before = routeEvaluations;
      expect(compileGateway(config, undefined, options).snapshot).toBeDefined();
      return routeEvaluations - before;
    };
    const one = routeRulesOn(manyApisConfig("one-route", 1, 1, (r) => `r${r}`));
    expect(one).toBeGreaterThan(0);
    // Sixty routes with their own names, paths and APIs, but the same access, action and no CORS or limit.
    expect(routeRulesOn(manyApisConfig("sixty-routes", 6, 10, (r) => `r${r}`))).toBe(one);
  });

  it("keeps each gateway's outcomes while another gateway with other packs compiles", () => {
    const options = { file: join(dir, "gateway.yaml"), today: TODAY, secrets: "placeholder" as const, env: {} };
    const compile = (name: string, packs: string[]) => {
      const result = compileGateway(config(name, packs), undefined, options);
      expect(result.snapshot, name).toBeDefined();
      return result;
    };
    const first = counted(() => compile("plain", []));
    // Straight after itself: only the rules that read the whole gateway run again.
    const again = counted(() => compile("plain", []));
    expect(again).toBeLessThan(first / 4);
    compile("own-pack", ["./own.yaml"]);
    const afterOther = counted(() => compile("plain", []));
    expect(afterOther).toBe(again);
    // The other gateway keeps its own too, and its pack's findings (every other route of it is named old).
    let own = compile("own-pack", ["./own.yaml"]);
    expect(counted(() => (own = compile("own-pack", ["./own.yaml"])))).toBe(again);
    expect(own.diagnostics.filter((d) => d.code === "OWN-001")).toHaveLength(30);
  });
});
