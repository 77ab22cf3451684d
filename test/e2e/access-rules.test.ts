/**
 * Access rules through real Envoy beyond one identity per route: rules by client address alone
 * (never a client-sent X-Forwarded-For), a token that is optional where an address rule also
 * admits, and role claims nested in the token (Keycloak's realm_access.roles).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { isRuleId } from "../../src/policy/codes.ts";
import type { Access, GatewayConfig } from "../../src/config/types.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

const ISSUER = "https://sso.test/realms/shop";
const signing = rsaSigningKey("k1");
const dir = mkdtempSync(join(tmpdir(), "portcullis-access-"));

const token = (claims: Record<string, unknown>) => signedToken(signing, ISSUER, undefined, claims);

let port = 0;
let backend: TestBackend;

function call(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host: "api.test", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

const bearer = (claims: Record<string, unknown>) => ({ authorization: `Bearer ${token(claims)}` });

beforeAll(async () => {
  backend = await startBackend("ops");
  port = await freePort();
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  const route = (name: string, access: Access) => ({
    name,
    match: { path: `/${name}`, methods: ["GET" as const] },
    provider: "ops",
    access,
  });
  const config: GatewayConfig = {
    gateway: { name: "access", listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["api.test"] }] },
    identities: { sso: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, claims: { roles: "realm_access.roles", groups: "https://shop.example/groups" } } },
    providers: { ops: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "ops",
        owner: "platform",
        basePath: "/ops",
        versions: {
          v1: {
            state: "published",
            routes: [
              route("loopback", { allow: [{ clientCidrs: ["127.0.0.0/8"] }] }),
              route("office", { allow: [{ clientCidrs: ["10.0.0.0/8"] }] }),
              route("admin-or-loopback", { allow: [{ identity: "sso", roles: ["admin"] }, { clientCidrs: ["127.0.0.0/8"] }] }),
              route("admin-or-office", { allow: [{ identity: "sso", roles: ["admin"] }, { clientCidrs: ["10.0.0.0/8"] }] }),
              route("auditors", { allow: [{ identity: "sso", groups: ["audit"] }] }),
            ],
          },
        },
      },
    ],
  };
  const { diagnostics } = await startCompiledEnvoy(config, { file: join(dir, "gateway.yaml") });
  // The namespaced groups claim is checked by the rules but cannot be forwarded in a header.
  expect(diagnostics.filter((d) => !isRuleId(d.code)).map((d) => [d.code, d.severity])).toEqual([["PCL4036", "warning"]]);
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("access rules through real Envoy", () => {
  it("allows by client address alone, and a client-sent X-Forwarded-For does not change the address", async () => {
    expect(await call("/v1/ops/loopback")).toBe(200);
    expect(await call("/v1/ops/office")).toBe(403);
    expect(await call("/v1/ops/office", { "x-forwarded-for": "10.1.2.3" })).toBe(403);
  });

  it("makes the token optional beside an address rule, but a token that is sent must be valid", async () => {
    expect(await call("/v1/ops/admin-or-loopback")).toBe(200);
    expect(await call("/v1/ops/admin-or-loopback", { authorization: "Bearer not-a-token" })).toBe(401);
    expect(await call("/v1/ops/admin-or-office")).toBe(403);
    expect(await call("/v1/ops/admin-or-office", bearer({ realm_access: { roles: ["admin"] } }))).toBe(200);
    expect(await call("/v1/ops/admin-or-office", bearer({ realm_access: { roles: ["viewer"] } }))).toBe(403);
  });

  it("reads roles from a nested claim and groups from a namespaced claim", async () => {
    expect(await call("/v1/ops/admin-or-office", bearer({ realm_access: { roles: ["viewer", "admin"] } }))).toBe(200);
    // The dotted name is a path, not a literal key.
    expect(await call("/v1/ops/admin-or-office", bearer({ "realm_access.roles": ["admin"] }))).toBe(403);
    expect(await call("/v1/ops/auditors", bearer({ "https://shop.example/groups": ["audit"] }))).toBe(200);
    expect(await call("/v1/ops/auditors", bearer({ "https://shop.example/groups": ["sales"] }))).toBe(403);
  });
});

describe("access rule mistakes are located errors", () => {
  const base = (allow: unknown[], claims?: Record<string, string>): GatewayConfig => ({
    gateway: { name: "bad", listeners: [{ name: "web", address: "127.0.0.1", port: 8080, hostnames: ["api.test"] }] },
    identities: { sso: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, ...(claims ? { claims } : {}) } },
    providers: { ops: { type: "service", endpoints: ["127.0.0.1:9"], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [{ name: "ops", owner: "platform", basePath: "/ops", versions: { v1: { state: "published", access: { allow: allow as never }, routes: [{ match: { path: "/x" }, provider: "ops" }] } } }],
  });
  const codes = (config: GatewayConfig) => compileGateway(config, undefined, { file: join(dir, "gateway.yaml") }).diagnostics.filter((d) => !isRuleId(d.code)).map((d) => d.code);

  it("roles or groups without a claim mapping", () => {
    expect(codes(base([{ identity: "sso", roles: ["admin"] }]))).toEqual(["PCL4034"]);
    expect(codes(base([{ identity: "sso", groups: ["audit"] }], { roles: "roles" }))).toEqual(["PCL4034"]);
  });

  it("a rule with no identity must be an address rule", () => {
    expect(codes(base([{ scopes: ["read"], clientCidrs: ["10.0.0.0/8"] }]))).toEqual(["PCL4035"]);
    expect(codes(base([{}]))).toEqual(["PCL4035"]);
  });
});
