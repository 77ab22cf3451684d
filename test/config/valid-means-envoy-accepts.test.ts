/**
 * Property: a config that passes validation compiles without errors, and real Envoy accepts the
 * result (`envoy --mode validate` on the static bootstrap). Configs come from a structured
 * arbitrary whose strings are sometimes adversarial, so both sides of the boundary are exercised.
 * Bounded for a shared two-core machine: FUZZ_RUNS (default 60) configs, validated two at a time.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { hasErrors } from "../../src/config/diagnostics.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { builtInRules } from "../../src/policy/packs.ts";
import { validateSnapshot } from "../../src/xds/static-bootstrap-file.ts";
import { GENERATED_ENV, gatewayConfig } from "../support/gateway-arbitrary.ts";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 60);
const BATCH = 2;
const TODAY = "2026-06-01";

const dir = mkdtempSync(join(tmpdir(), "portcullis-valid-envoy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, "gateway.yaml");
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" }] }));

let validated = 0;

/** Validation passes ⇒ compile has no errors ⇒ Envoy accepts; the failure says which step broke. */
async function verdict(config: GatewayConfig): Promise<string | undefined> {
  const findings = validateConfig(structuredClone(config), () => undefined, { file: configFile, today: TODAY });
  if (hasErrors(findings)) return undefined;
  // A policy error (e.g. CORS for any origin with credentials) refuses a valid config on purpose;
  // here the built-in rules report as warnings, so the config still reaches Envoy.
  const policy = { rules: Object.fromEntries(builtInRules().map((rule) => [rule.id, "warning" as const])) };
  const compiled = compileGateway({ ...config, policy }, undefined, { file: configFile, env: GENERATED_ENV, today: TODAY });
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !compiled.snapshot) return `valid config fails to compile: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`;
  validated++;
  const envoy = await validateSnapshot(compiled.snapshot);
  return envoy.ok ? undefined : `Envoy rejects a valid config: ${envoy.message}`;
}

describe("a config that passes validation", () => {
  it("compiles without errors and real Envoy accepts it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gatewayConfig, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const failures = (await Promise.all(batch.map(verdict))).filter((f) => f !== undefined);
        expect(failures, JSON.stringify(batch, null, 1)).toEqual([]);
      }),
      { numRuns: Math.ceil(RUNS / BATCH) },
    );
    // The arbitrary must reach Envoy, not only produce configs that validation rejects.
    expect(validated).toBeGreaterThan(0);
  }, Math.max(120_000, RUNS * 3_000));
});
