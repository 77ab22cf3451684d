/**
 * JWT access rules enforced by real Envoy: tokens signed here with node:crypto, verified by
 * jwt_authn against a local JWKS, then scopes and roles checked by per-route RBAC.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRuleId } from "../../src/policy/codes.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";
import { ordersV1 } from "../support/test-apis.ts";

const ISSUER = "https://auth.test/";
const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
const impostor = generateKeyPairSync("rsa", { modulusLength: 2048 });
const dir = mkdtempSync(join(tmpdir(), "portcullis-jwt-"));

const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");

function token(claims: Record<string, unknown>, key: KeyObject = signing.privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: "RS256", typ: "JWT", kid: "e2e-1" })}.${b64url({ iss: ISSUER, aud: "orders", sub: "alice", iat: now, exp: now + 600, ...claims })}`;
  return `${body}.${b64url(sign("sha256", Buffer.from(body), key))}`;
}

let port = 0;
function get(path: string, bearer?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: "api.test", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

let backend: TestBackend;

beforeAll(async () => {
  backend = await startBackend("orders");
  port = await freePort();
  const jwk = { ...signing.publicKey.export({ format: "jwk" }), kid: "e2e-1", alg: "RS256", use: "sig" };
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [jwk] }));
  const config: GatewayConfig = {
    gateway: { name: "jwt", listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["api.test"] }] },
    identities: { staff: { type: "jwt", issuer: ISSUER, audiences: ["orders"], jwks: { file: "jwks.json" }, claims: { roles: "roles" } } },
    providers: { orders: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [ordersV1({ allow: [{ identity: "staff", scopes: ["orders.read"] }] }, [
      { name: "list", match: { path: "/items" }, provider: "orders" },
      { name: "admin", match: { prefix: "/admin" }, provider: "orders", access: { allow: [{ identity: "staff", roles: ["admin"] }] } },
    ])],
  };
  const { diagnostics } = await startCompiledEnvoy(config, { file: join(dir, "gateway.yaml") });
  expect(diagnostics.filter((d) => !isRuleId(d.code))).toEqual([]);
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("JWT identities through real Envoy", () => {
  it("admits a valid token that holds the scope (space-separated or list claim)", async () => {
    expect(await get("/v1/orders/items", token({ scope: "orders.write orders.read" }))).toBe(200);
    expect(await get("/v1/orders/items", token({ scope: ["orders.read"] }))).toBe(200);
  });

  it("rejects tokens that are missing, forged, expired, or for another audience or issuer", async () => {
    const statuses = {
      missing: await get("/v1/orders/items"),
      forged: await get("/v1/orders/items", token({ scope: "orders.read" }, impostor.privateKey)),
      expired: await get("/v1/orders/items", token({ scope: "orders.read", exp: Math.floor(Date.now() / 1000) - 3600 })),
      audience: await get("/v1/orders/items", token({ scope: "orders.read", aud: "billing" })),
      issuer: await get("/v1/orders/items", token({ scope: "orders.read", iss: "https://evil.test/" })),
    };
    // Envoy answers a verified token for another audience with 403 (JwtAudienceNotAllowed), the rest with 401.
    expect(statuses).toEqual({ missing: 401, forged: 401, expired: 401, audience: 403, issuer: 401 });
  });

  it("answers 403 when the token is valid but the rule does not hold", async () => {
    expect(await get("/v1/orders/items", token({ scope: "orders.reader" }))).toBe(403);
    expect(await get("/v1/orders/admin/users", token({ roles: ["user"] }))).toBe(403);
    expect(await get("/v1/orders/admin/users", token({ roles: ["user", "admin"] }))).toBe(200);
  });

  it("does not forward the token upstream", () => {
    expect(backend.received.length).toBeGreaterThan(0);
    expect(backend.received.every((r) => r.headers["authorization"] === undefined)).toBe(true);
  });
});
