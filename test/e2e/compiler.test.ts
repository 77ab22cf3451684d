/**
 * The compiler end to end: a config compiled to a static bootstrap, run by real Envoy, in front
 * of two real HTTP backends. Routing by path and method, lifecycle headers and 410, unknown host,
 * deny by default, hardening, and JSON access logs with no secrets.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

let port = 0;
function send(method: string, path: string, headers: Record<string, string> = {}, host = "api.test"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { host, ...headers } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const SECRET_TOKEN = "Bearer e2e-secret-token-4711";
const SECRET_QUERY = "e2e-secret-query-key";
const SECRET_COOKIE = "e2e-secret-cookie";

function gateway(listenerPort: number, a: number, b: number): GatewayConfig {
  const plaintext = { reason: "test backend on the loopback interface" };
  const open = { public: { reason: "end-to-end test without identities" } };
  return {
    gateway: { name: "e2e", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["api.test"] }] },
    identities: {
      staff: { type: "jwt", issuer: "https://auth.test/", jwks: { url: "https://auth.test/jwks.json" }, claims: { roles: "roles" } },
      partners: { type: "apiKey", consumers: [{ name: "acme", keys: { env: "E2E_PARTNER_KEYS" } }] },
    },
    providers: {
      alpha: { type: "service", endpoints: [`127.0.0.1:${a}`], plaintext },
      beta: { type: "service", endpoints: [`localhost:${b}`], plaintext },
    },
    apis: [
      {
        name: "orders",
        owner: "shop",
        basePath: "/orders",
        versions: {
          v2: {
            state: "published",
            access: open,
            routes: [
              { name: "list", match: { path: "/items", methods: ["GET"] }, provider: "alpha" },
              { name: "create", match: { path: "/items", methods: ["POST"] }, provider: "beta" },
              { name: "item", match: { template: "/items/{id}", methods: ["GET"] }, provider: "beta", rewrite: { template: "/backend/items/{id}" } },
              { name: "admin", match: { prefix: "/admin" }, provider: "alpha", access: { allow: [{ identity: "staff", roles: ["admin"] }] } },
              { name: "partner", match: { prefix: "/partner" }, provider: "alpha", access: { allow: [{ identity: "partners" }] } },
            ],
          },
          v1: {
            state: "deprecated",
            deprecatedOn: "2026-01-15",
            sunset: "2099-06-30",
            successor: "v2",
            access: open,
            routes: [{ name: "list", match: { path: "/items", methods: ["GET"] }, provider: "alpha" }],
          },
          v0: { state: "retired", sunset: "2026-01-01", successor: "v2", routes: [{ match: { path: "/items" }, provider: "alpha" }] },
          v3: { state: "draft", access: open, routes: [{ match: { path: "/items" }, provider: "alpha" }] },
        },
      },
      {
        name: "closed",
        owner: "shop",
        basePath: "/closed",
        // No access rules anywhere: deny by default.
        versions: { v1: { state: "published", routes: [{ match: { path: "/" }, provider: "alpha" }] } },
      },
    ],
  };
}

let alpha: TestBackend;
let beta: TestBackend;
let envoy: RunningEnvoy;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([startBackend("alpha"), startBackend("beta")]);
  port = await freePort();
  const { snapshot, diagnostics } = compileGateway(gateway(port, alpha.port, beta.port), undefined, { env: { E2E_PARTNER_KEYS: "e2e-partner-key-0123456789" } });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const bootstrap = toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot!)) as Record<string, unknown>;
  envoy = await startEnvoy({ bootstrap });
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await Promise.all([alpha?.close(), beta?.close()]);
});

describe("compiled config through real Envoy", () => {
  it("routes to two backends by path and method", async () => {
    const list = await send("GET", "/v2/orders/items");
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).backend).toBe("alpha");
    const create = await send("POST", "/v2/orders/items");
    expect(create.status).toBe(200);
    expect(JSON.parse(create.body).backend).toBe("beta");
    expect((await send("DELETE", "/v2/orders/items")).status).toBe(405);
  });

  it("matches path templates and rewrites with them", async () => {
    const item = await send("GET", "/v2/orders/items/42");
    expect(item.status).toBe(200);
    expect(JSON.parse(item.body)).toMatchObject({ backend: "beta", path: "/backend/items/42" });
    expect((await send("GET", "/v2/orders/items/42/extra")).status).toBe(404);
  });

  it("marks deprecated versions with Deprecation, Sunset and a successor link", async () => {
    const reply = await send("GET", "/v1/orders/items");
    expect(reply.status).toBe(200);
    expect(reply.headers["deprecation"]).toBe(`@${Date.UTC(2026, 0, 15) / 1000}`);
    expect(reply.headers["sunset"]).toBe("Tue, 30 Jun 2099 00:00:00 GMT");
    expect(reply.headers["link"]).toBe('</v2/orders>; rel="successor-version"');
    expect((await send("GET", "/v2/orders/items")).headers["deprecation"]).toBeUndefined();
  });

  it("answers retired versions with 410 problem+json naming the successor", async () => {
    const reply = await send("GET", "/v0/orders/items");
    expect(reply.status).toBe(410);
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(reply.body)).toMatchObject({ status: 410, successor: "/v2/orders" });
    expect((await send("POST", "/v0/orders/anything/else")).status).toBe(410);
  });

  it("does not route drafts, unknown hosts or look-alike prefixes", async () => {
    expect((await send("GET", "/v3/orders/items")).status).toBe(404);
    expect((await send("GET", "/v2/orders/items", {}, "evil.test")).status).toBe(404);
    expect((await send("GET", "/v2/orders-admin/items")).status).toBe(404);
  });

  it("denies by default, checks JWTs and API keys", async () => {
    expect((await send("GET", "/v1/closed")).status).toBe(403);
    expect((await send("GET", "/v2/orders/admin/users", { authorization: SECRET_TOKEN })).status).toBe(401);
    expect((await send("GET", "/v2/orders/partner", { "x-api-key": "anything" })).status).toBe(401);
    expect((await send("GET", "/v2/orders/partner", { "x-api-key": "e2e-partner-key-0123456789" })).status).toBe(200);
    expect(alpha.received.filter((r) => /admin|closed|partner/.test(r.path)).map((r) => r.headers["x-portcullis-consumer"])).toEqual(["acme"]);
  });

  it("rejects escaped slashes and underscore headers, and strips spoofed identity headers", async () => {
    expect((await send("GET", "/v2/orders/items%2F..%2Fadmin")).status).toBe(400);
    expect((await send("GET", "/v2/orders/items", { x_user: "root" })).status).toBe(400);
    const reply = await send("GET", "/v2/orders/items", { "x-portcullis-subject": "admin" });
    expect(JSON.parse(reply.body).headers["x-portcullis-subject"]).toBeUndefined();
  });

  it("writes one JSON access log line per request, without secrets", async () => {
    await send("GET", `/v2/orders/items?api_key=${SECRET_QUERY}`, { authorization: SECRET_TOKEN, cookie: `session=${SECRET_COOKIE}`, "user-agent": "log-probe" });
    let lines: Record<string, unknown>[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      lines = envoy.accessLog();
      // Envoy flushes access logs about once a second; this request is the last one sent.
      if (lines.some((line) => line["user_agent"] === "log-probe")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const line = lines.find((l) => l["user_agent"] === "log-probe");
    expect(line).toMatchObject({ api: "orders", version: "v2", method: "GET", path: "/v2/orders/items", status: 200, upstream_cluster: "alpha" });
    expect(lines.find((l) => l["status"] === 410)).toMatchObject({ api: "orders", version: "v0" });
    const output = envoy.output();
    for (const secret of ["e2e-secret-token-4711", SECRET_QUERY, SECRET_COOKIE]) expect(output).not.toContain(secret);
  });
});
