/**
 * API-key identities enforced by real Envoy (api_key_auth + RBAC): keys from a file and from an
 * environment variable, header and query sources, consumers admitted per route, the key hidden
 * from the backend and from Envoy's access log, the consumer forwarded in the gateway's header,
 * and a key that is optional where the route also admits other callers.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { isRuleId } from "../../src/policy/codes.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";
import { ordersV1 } from "../support/test-apis.ts";

const key = () => randomBytes(24).toString("base64url");
const keys = { acme: [key(), key()], globex: [key()], partner: [key()] };
const dir = mkdtempSync(join(tmpdir(), "portcullis-apikey-"));

let port = 0;
let backend: TestBackend;
let envoy: RunningEnvoy;

function call(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host: "api.test", ...headers } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function config(): GatewayConfig {
  return {
    gateway: { name: "keys", listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["api.test"] }] },
    identities: {
      partners: {
        type: "apiKey",
        consumers: [
          { name: "acme", team: "sales", keys: { file: "acme.keys" } },
          { name: "globex", keys: { env: "GLOBEX_KEYS" } },
        ],
      },
      legacy: { type: "apiKey", from: { query: "api_key" }, consumers: [{ name: "partner-x", keys: { file: "partner.keys" } }] },
    },
    providers: { orders: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [ordersV1({ allow: [{ identity: "partners" }] }, [
      { name: "list", match: { path: "/items", methods: ["GET"] }, provider: "orders" },
      { name: "refunds", match: { path: "/refunds", methods: ["GET"] }, provider: "orders", access: { allow: [{ identity: "partners", consumers: ["acme"] }] } },
      { name: "legacy", match: { path: "/legacy", methods: ["GET"] }, provider: "orders", access: { allow: [{ identity: "legacy" }] } },
      // A key beside an address rule: optional, but a key that is sent must be valid.
      { name: "lobby", match: { path: "/lobby", methods: ["GET"] }, provider: "orders", access: { allow: [{ identity: "partners", consumers: ["acme"] }, { clientCidrs: ["127.0.0.0/8"] }] } },
      { name: "annex", match: { path: "/annex", methods: ["GET"] }, provider: "orders", access: { allow: [{ identity: "partners", consumers: ["acme"] }, { clientCidrs: ["10.0.0.0/8"] }] } },
    ])],
  };
}

beforeAll(async () => {
  backend = await startBackend("orders");
  port = await freePort();
  writeFileSync(join(dir, "acme.keys"), `# acme, issued 2026-11\n${keys.acme[0]}\n\n${keys.acme[1]}\n`);
  writeFileSync(join(dir, "partner.keys"), `${keys.partner[0]}\n`);
  const started = await startCompiledEnvoy(config(), { file: join(dir, "gateway.yaml"), env: { GLOBEX_KEYS: keys.globex[0]! } });
  expect(started.diagnostics.filter((d) => !isRuleId(d.code))).toEqual([]);
  envoy = started.envoy;
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("API keys through real Envoy", () => {
  it("admits every key of every consumer, from a file (with comments) and from an environment variable", async () => {
    for (const k of [...keys.acme, ...keys.globex]) expect((await call("/v1/orders/items", { "x-api-key": k })).status).toBe(200);
  });

  it("answers 401 to a missing or wrong key, and to a key of another identity's source", async () => {
    expect((await call("/v1/orders/items")).status).toBe(401);
    expect((await call("/v1/orders/items", { "x-api-key": key() })).status).toBe(401);
    expect((await call(`/v1/orders/items?api_key=${keys.acme[0]}`)).status).toBe(401);
  });

  it("answers 403 to a valid key of a consumer the route does not admit", async () => {
    expect((await call("/v1/orders/refunds", { "x-api-key": keys.acme[0]! })).status).toBe(200);
    expect((await call("/v1/orders/refunds", { "x-api-key": keys.globex[0]! })).status).toBe(403);
    // A key of another API-key identity is not a consumer of this route either.
    expect((await call("/v1/orders/items", { "x-api-key": keys.partner[0]! })).status).toBe(403);
  });

  it("reads a query-parameter key where the identity says so, and strips it before the backend", async () => {
    backend.received.length = 0;
    expect((await call(`/v1/orders/legacy?api_key=${keys.partner[0]}&page=2`)).status).toBe(200);
    expect((await call("/v1/orders/legacy", { "x-api-key": keys.partner[0]! })).status).toBe(401);
    expect(backend.received.map((r) => r.path)).toEqual(["/v1/orders/legacy?page=2"]);
  });

  it("forwards the verified consumer, never the key, and a client cannot claim a consumer", async () => {
    backend.received.length = 0;
    expect((await call("/v1/orders/items", { "x-api-key": keys.globex[0]!, "x-portcullis-consumer": "acme" })).status).toBe(200);
    expect((await call("/v1/orders/refunds", { "x-api-key": keys.globex[0]!, "x-portcullis-consumer": "acme" })).status).toBe(403);
    expect(backend.received).toHaveLength(1);
    const headers = backend.received[0]!.headers;
    expect(headers["x-portcullis-consumer"]).toBe("globex");
    expect(headers["x-api-key"]).toBeUndefined();
  });

  it("takes a key as one credential among others where the route also admits an address", async () => {
    backend.received.length = 0;
    expect((await call("/v1/orders/lobby")).status).toBe(200);
    expect((await call("/v1/orders/lobby", { "x-api-key": key() })).status).toBe(401);
    expect((await call("/v1/orders/lobby", { "x-api-key": keys.acme[0]! })).status).toBe(200);
    expect((await call("/v1/orders/annex")).status).toBe(403);
    expect((await call("/v1/orders/annex", { "x-api-key": keys.globex[0]! })).status).toBe(403);
    expect((await call("/v1/orders/annex", { "x-api-key": keys.acme[1]! })).status).toBe(200);
    expect(backend.received.map((r) => r.headers["x-portcullis-consumer"] ?? "-")).toEqual(["-", "acme", "acme"]);
    expect(backend.received.every((r) => r.headers["x-api-key"] === undefined)).toBe(true);
  });

  it("never writes a key to Envoy's access log", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const log = envoy.output();
    expect(log.length).toBeGreaterThan(0);
    for (const k of [...keys.acme, ...keys.globex, ...keys.partner]) expect(log).not.toContain(k);
  });
});

describe("API keys in compile output and diagnostics", () => {
  it("compile (placeholder secrets) emits no key, and serve-mode diagnostics never print one", () => {
    const placeholder = compileGateway(config(), undefined, { file: join(dir, "gateway.yaml"), secrets: "placeholder" });
    expect(placeholder.diagnostics.filter((d) => !isRuleId(d.code))).toEqual([]);
    const text = JSON.stringify(placeholder.snapshot);
    for (const k of [...keys.acme, ...keys.partner]) expect(text).not.toContain(k);

    writeFileSync(join(dir, "acme.keys"), `${keys.partner[0]}\nshort\nwith space inside\n`);
    const broken = compileGateway(config(), undefined, { file: join(dir, "gateway.yaml"), env: {} });
    const messages = JSON.stringify(broken.diagnostics);
    expect(broken.diagnostics.map((d) => d.code).sort()).toEqual(["PCL4001", "PCL4030", "PCL4030", "PCL4033"]);
    expect(messages).not.toContain(keys.partner[0]);
    expect(messages).not.toContain("with space inside");
  });
});
