/**
 * Configs for the policy tests: a base gateway that no built-in rule finds anything in, and
 * helpers that compile a changed copy of it and return the policy's findings.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileGateway, type CompileGatewayResult } from "../../src/compile.ts";
import type { Diagnostic } from "../../src/config/diagnostics.ts";
import type { GatewayConfig } from "../../src/config/types.ts";

export const TODAY = "2026-06-01";

/** A directory with a usable JWKS file, for configs with a local-key JWT identity. */
export const dir = mkdtempSync(join(tmpdir(), "portcullis-policy-"));
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" }] }));

export function baseConfig(): GatewayConfig {
  return {
    gateway: { name: "policy", listeners: [{ name: "web", port: 8080, hostnames: ["api.example.com"] }] },
    identities: {
      customers: { type: "jwt", issuer: "https://auth.example.com/", audiences: ["shop"], jwks: { file: "jwks.json" } },
      partners: { type: "apiKey", from: { header: "x-api-key" }, consumers: [{ name: "acme", keys: { env: "ACME_KEYS" } }] },
    },
    providers: {
      orders: { type: "service", endpoints: ["orders.internal:8443"], tls: { expectedSans: ["orders.internal"] } },
    },
    apis: [
      {
        name: "orders",
        owner: "team-orders",
        description: "Orders.",
        basePath: "/orders",
        versions: {
          v1: {
            state: "published",
            access: { allow: [{ identity: "customers", scopes: ["orders:read"] }] },
            routes: [
              { name: "list", match: { path: "/", methods: ["GET"] }, provider: "orders" },
              { name: "get", match: { template: "/{id}", methods: ["GET"] }, provider: "orders" },
            ],
          },
        },
      },
    ],
  };
}

/**
 * A gateway of `apis` public APIs (api0, api1, ...) of `routesPerApi` prefix routes each to one
 * loopback service, route r of each named `routeName(r)`: a config large enough to edit in parts.
 */
export function manyApisConfig(name: string, apis: number, routesPerApi: number, routeName: (route: number) => string): GatewayConfig {
  return {
    gateway: { name, listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
    providers: { app: { type: "service", endpoints: ["127.0.0.1:9999"], plaintext: { reason: "test backend on loopback" } } },
    apis: Array.from({ length: apis }, (_, a) => ({
      name: `api${a}`,
      owner: "team",
      basePath: `/api${a}`,
      versions: {
        v1: {
          state: "published" as const,
          access: { public: { reason: "test API" } },
          routes: Array.from({ length: routesPerApi }, (_, r) => ({ name: routeName(r), match: { prefix: `/r${r}` }, provider: "app" })),
        },
      },
    })),
  };
}

/** `base` changed by `edit` (a structured clone, so edits never leak between tests). */
export function changed(edit: (config: GatewayConfig) => void, base = baseConfig()): GatewayConfig {
  const config = structuredClone(base);
  edit(config);
  return config;
}

export function compile(config: GatewayConfig, options: { today?: string; reported?: readonly Diagnostic[] } = {}): CompileGatewayResult {
  return compileGateway(config, undefined, { file: join(dir, "gateway.yaml"), secrets: "placeholder", env: {}, today: options.today ?? TODAY, ...(options.reported ? { reported: options.reported } : {}) });
}

/** The policy findings and engine errors (rule ids and PCL5xxx) of compiling `config`. */
export function policyFindings(config: GatewayConfig, options: { today?: string } = {}): Diagnostic[] {
  return compile(config, options).diagnostics.filter((d) => d.code.startsWith("PCL-") || d.code.startsWith("PCL5") || /^[A-Z]+-/.test(d.code));
}

export const codes = (findings: readonly Diagnostic[]) => findings.map((d) => d.code);

/**
 * A small gateway as YAML text: `before` (top-level lines), one loopback service and the API shop
 * with version v1 (published) whose further lines are `version`, then `after`. With nothing
 * before, the first `version` line is line 12.
 */
export function shopYaml(before: readonly string[], version: readonly string[], after: readonly string[] = []): string {
  return [
    ...before,
    "gateway: { name: shop, listeners: [{ name: web, address: 127.0.0.1, port: 8080, hostnames: [api.test] }] }",
    "providers:",
    '  app: { type: service, endpoints: ["127.0.0.1:9999"], plaintext: { reason: test backend on loopback } }',
    "apis:",
    "  - name: shop",
    "    owner: team-shop",
    "    description: The shop.",
    "    basePath: /shop",
    "    versions:",
    "      v1:",
    "        state: published",
    ...version.map((line) => `        ${line}`),
    ...after,
    "",
  ].join("\n");
}
