/**
 * Which methods a route answers, through real Envoy: a route without `methods` takes the seven
 * methods APIs use and nothing else (no TRACE, no invented tokens); a route with `methods` takes
 * those, and HEAD where it takes GET. A method a path does not take is answered 405 with `Allow`,
 * never 404 and never forwarded; CORS preflights still reach the CORS policy of a path whose
 * routes do not take OPTIONS.
 */
import { request } from "node:http";
import { connect as connectHttp2 } from "node:http2";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

const DEFAULT_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

let port = 0;
let backend: TestBackend;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

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

/** The status of the response to a raw HTTP/1.1 request (HTTP clients normalise the method). */
function rawStatus(payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.on("data", (chunk: Buffer) => (reply += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0)));
    socket.write(payload);
  });
}

/** The methods an Allow header lists. */
const allowed = (reply: Reply) => String(reply.headers["allow"] ?? "").split(/,\s*/).filter(Boolean);

function gateway(listenerPort: number): GatewayConfig {
  const app = "app";
  return {
    gateway: {
      name: "methods",
      listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["api.test", "strict.test"] }],
    },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "shop",
        owner: "test",
        basePath: "/shop",
        hostnames: ["api.test"],
        versions: {
          v1: {
            state: "published",
            access: { public: { reason: "test" } },
            routes: [
              { name: "items", match: { prefix: "/items" }, provider: app },
              { name: "orders-list", match: { path: "/orders", methods: ["GET"] }, provider: app },
              { name: "orders-create", match: { path: "/orders", methods: ["POST"] }, provider: app },
              { name: "report", match: { path: "/report", methods: ["GET"] }, provider: app, cors: { origins: ["https://app.test"] } },
            ],
          },
        },
      },
      {
        name: "strict",
        owner: "test",
        basePath: "/strict",
        hostnames: ["strict.test"],
        versions: {
          v1: { state: "published", access: { public: { reason: "test" } }, routes: [{ name: "read", match: { path: "/things", methods: ["GET"] }, provider: app }] },
        },
      },
    ],
  };
}

beforeAll(async () => {
  backend = await startBackend("app");
  port = await freePort();
  const { snapshot, diagnostics } = compileGateway(gateway(port));
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot!)) as Record<string, unknown> });
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
});

describe("methods through real Envoy", () => {
  it("a route without methods forwards the seven methods APIs use", async () => {
    backend.received.length = 0;
    for (const method of DEFAULT_METHODS) expect({ method, status: (await send(method, "/v1/shop/items/1")).status }).toEqual({ method, status: 200 });
    expect(backend.received.map((r) => r.method)).toEqual(DEFAULT_METHODS);
  });

  it("answers 405 with Allow to TRACE and other methods APIs do not use, and never forwards them", async () => {
    backend.received.length = 0;
    for (const method of ["TRACE", "PROPFIND", "PURGE", "LINK"]) {
      const reply = await send(method, "/v1/shop/items/1");
      expect({ method, status: reply.status }).toEqual({ method, status: 405 });
      expect(allowed(reply)).toEqual(DEFAULT_METHODS);
    }
    // Envoy's HTTP/1 codec refuses methods it does not know (`get` is not GET; invented tokens) with 400.
    expect(await rawStatus("get /v1/shop/items/1 HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n")).toBe(400);
    expect(await rawStatus("BREW /v1/shop/items/1 HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n")).toBe(400);
    // CONNECT names no path; Envoy matches it only against CONNECT routes, which the gateway has none of.
    expect(await rawStatus("CONNECT api.test:443 HTTP/1.1\r\nHost: api.test:443\r\n\r\n")).toBe(404);
    expect(backend.received).toEqual([]);
  });

  it("over HTTP/2, where any token is a method, answers invented ones 405 too", async () => {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    try {
      for (const [method, path, authority, allow] of [
        ["BREW", "/v1/shop/items/1", "api.test", DEFAULT_METHODS],
        ["get", "/v1/shop/items/1", "api.test", DEFAULT_METHODS],
        ["BREW", "/v1/strict/things", "strict.test", ["GET", "HEAD"]],
      ] as const) {
        const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
          const stream = session.request({ ":method": method, ":path": path, ":authority": authority });
          stream.on("response", (h) => resolve(h));
          stream.on("error", reject);
          stream.resume();
          stream.end();
        });
        expect({ method, path, status: headers[":status"], allow: String(headers["allow"]).split(", ") }).toEqual({ method, path, status: 405, allow });
      }
    } finally {
      session.close();
    }
  });

  it("a path's routes take their own methods, and HEAD where they take GET", async () => {
    backend.received.length = 0;
    expect((await send("GET", "/v1/shop/orders")).status).toBe(200);
    expect((await send("HEAD", "/v1/shop/orders")).status).toBe(200);
    expect((await send("POST", "/v1/shop/orders")).status).toBe(200);
    expect(backend.received.map((r) => r.method)).toEqual(["GET", "HEAD", "POST"]);
  });

  it("answers 405 listing the path's methods to a method the path does not take, not 404", async () => {
    backend.received.length = 0;
    for (const method of ["DELETE", "PUT", "OPTIONS"]) {
      const reply = await send(method, "/v1/shop/orders");
      expect({ method, status: reply.status }).toEqual({ method, status: 405 });
      expect(allowed(reply)).toEqual(["GET", "HEAD", "POST"]);
      expect(reply.headers["content-type"]).toBe("application/problem+json");
      expect(JSON.parse(reply.body)).toMatchObject({ status: 405, title: "Method Not Allowed" });
    }
    expect(backend.received).toEqual([]);
    expect((await send("GET", "/v1/shop/nothing-here")).status).toBe(404);
  });

  it("on a host whose routes all name their methods, TRACE gets the path's own Allow", async () => {
    const reply = await send("TRACE", "/v1/strict/things", {}, "strict.test");
    expect(reply.status).toBe(405);
    expect(allowed(reply)).toEqual(["GET", "HEAD"]);
    expect((await send("TRACE", "/v1/strict/elsewhere", {}, "strict.test")).status).toBe(404);
  });

  it("a GET route with CORS answers the browser's preflight, so it takes OPTIONS too", async () => {
    backend.received.length = 0;
    const preflight = await send("OPTIONS", "/v1/shop/report", { origin: "https://app.test", "access-control-request-method": "GET" });
    expect(preflight.status).toBe(200);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://app.test");
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET");
    expect(backend.received).toEqual([]);
    const other = await send("DELETE", "/v1/shop/report");
    expect(other.status).toBe(405);
    expect(allowed(other)).toEqual(["GET", "HEAD", "OPTIONS"]);
  });
});
