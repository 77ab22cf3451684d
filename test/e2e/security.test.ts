/**
 * Attacks a gateway must survive, sent through real Envoy running a compiled config: path tricks
 * that try to reach a route the caller may not use, request smuggling, oversized and malformed
 * headers, spoofed client addresses and identity headers. Raw sockets send what HTTP clients
 * refuse to send.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { startBackend, type ReceivedRequest, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

let port = 0;
let backend: TestBackend;
let envoy: RunningEnvoy;

function gateway(listenerPort: number, backendPort: number): GatewayConfig {
  return {
    gateway: { name: "attacked", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["api.test"] }] },
    identities: { staff: { type: "jwt", issuer: "https://auth.test/", jwks: { url: "https://auth.test/jwks.json" }, claims: { roles: "roles" } } },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backendPort}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "shop",
        owner: "security",
        basePath: "/shop",
        versions: {
          v1: {
            state: "published",
            routes: [
              { name: "catalog", match: { prefix: "/catalog" }, provider: "app", access: { public: { reason: "public product catalog" } } },
              { name: "admin", match: { prefix: "/admin" }, provider: "app", access: { allow: [{ identity: "staff", roles: ["admin"] }] } },
            ],
          },
        },
      },
    ],
  };
}

/** Whether `reply` holds one whole HTTP/1.1 response (headers, and a body of Content-Length bytes). */
function responseComplete(reply: string): boolean {
  const end = reply.indexOf("\r\n\r\n");
  if (end === -1) return false;
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(reply.slice(0, end))?.[1] ?? 0);
  return reply.length - (end + 4) >= length;
}

/** Sends raw bytes and returns the first response's status and text. */
function raw(payload: string): Promise<{ status: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0), reply });
    };
    const timer = setTimeout(finish, 5_000);
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("latin1");
      if (responseComplete(reply)) finish();
    });
    socket.on("error", reject);
    socket.on("close", finish);
    // No half-close: Envoy drops a request whose client already sent FIN. Every request asks for
    // Connection: close, so Envoy closes once it has answered.
    socket.write(payload);
  });
}

/**
 * What a client may send to make a backend believe in another client, host, URL or method. With no
 * proxy in front of the gateway, none of it can be true.
 */
const CLIENT_CLAIMS: Record<string, string> = {
  "X-Real-IP": "10.6.6.6",
  "True-Client-IP": "10.6.6.6",
  Forwarded: "for=10.6.6.6;host=evil.test;proto=https",
  "X-Forwarded-Host": "evil.test",
  "X-Forwarded-Port": "8443",
  "X-Original-URL": "/v1/shop/admin/users",
  "X-Rewrite-URL": "/v1/shop/admin/users",
  "X-HTTP-Method-Override": "DELETE",
  "X-HTTP-Method": "DELETE",
  "X-Method-Override": "DELETE",
};

/** The path a backend behind IIS URL Rewrite or Symfony's old request handling serves: X-Original-URL or X-Rewrite-URL wins over the request line. */
function pathServedByUrlRewritingBackend(request: ReceivedRequest): string {
  return String(request.headers["x-original-url"] ?? request.headers["x-rewrite-url"] ?? request.path);
}

const get = (target: string, extraHeaders = "") => raw(`GET ${target} HTTP/1.1\r\nHost: api.test\r\n${extraHeaders}Connection: close\r\n\r\n`);

beforeAll(async () => {
  backend = await startBackend("app");
  port = await freePort();
  const { snapshot, diagnostics } = compileGateway(gateway(port, backend.port));
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  envoy = await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot!)) as Record<string, unknown> });
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
});

describe("attacks through real Envoy", () => {
  it("serves the public route, and denies the protected one without a token", async () => {
    expect((await get("/v1/shop/catalog/items")).status).toBe(200);
    expect((await get("/v1/shop/admin/users")).status).toBe(401);
  });

  it("normalizes dot segments before routing, so they cannot climb from a public route into a protected one", async () => {
    const before = backend.received.length;
    for (const target of ["/v1/shop/catalog/../admin/users", "/v1/shop/catalog/%2e%2e/admin/users", "/v1/shop/catalog/%2E%2E/admin/users", "/v1/shop/catalog/./../admin/users"]) {
      const { status } = await get(target);
      expect({ target, status }).toEqual({ target, status: 401 });
    }
    // Nothing reached the backend: the admin route's access rule ran on the normalized path.
    expect(backend.received.slice(before).some((r) => r.path.includes("admin"))).toBe(false);
  });

  it("merges duplicate slashes before routing", async () => {
    expect((await get("//v1//shop//admin/users")).status).toBe(401);
    expect((await get("/v1/shop//catalog/items")).status).toBe(200);
    expect(backend.received.at(-1)?.path).toBe("/v1/shop/catalog/items");
  });

  it("rejects encoded slashes and backslashes that could change the path a backend sees", async () => {
    expect((await get("/v1/shop/catalog%2F..%2Fadmin/users")).status).toBe(400);
    expect((await get("/v1/shop/catalog%5C..%5Cadmin/users")).status).toBe(400);
  });

  it("rejects request smuggling: Content-Length together with Transfer-Encoding", async () => {
    const smuggle = [
      "POST /v1/shop/catalog/items HTTP/1.1",
      "Host: api.test",
      "Content-Length: 6",
      "Transfer-Encoding: chunked",
      "",
      "0",
      "",
      "GET /v1/shop/admin/users HTTP/1.1",
      "Host: api.test",
      "",
      "",
    ].join("\r\n");
    const before = backend.received.length;
    const { status } = await raw(smuggle);
    expect(status).toBe(400);
    expect(backend.received.slice(before).some((r) => r.path.includes("admin"))).toBe(false);
  });

  it("rejects header names with underscores (they alias dashed names in some backends)", async () => {
    expect((await get("/v1/shop/catalog/items", "X_Portcullis_Subject: admin\r\n")).status).toBe(400);
  });

  it("strips identity headers a client tries to set itself", async () => {
    const { status } = await get("/v1/shop/catalog/items", "X-Portcullis-Subject: admin\r\nX-Portcullis-Roles: admin\r\n");
    expect(status).toBe(200);
    const headers = backend.received.at(-1)?.headers ?? {};
    expect(headers["x-portcullis-subject"]).toBeUndefined();
    expect(headers["x-portcullis-roles"]).toBeUndefined();
  });

  it("answers 431 to a header block above the limit, without reaching the backend", async () => {
    const before = backend.received.length;
    const { status, reply } = await get("/v1/shop/catalog/items", `X-Padding: ${"a".repeat(70 * 1024)}\r\n`);
    expect(status, reply).toBe(431);
    expect(backend.received.length).toBe(before);
  });

  it("does not let a spoofed X-Forwarded-For become the client address", async () => {
    await get("/v1/shop/catalog/spoof-probe", "X-Forwarded-For: 10.9.9.9\r\n");
    let line: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 50 && !line; attempt++) {
      line = envoy.accessLog().find((entry) => String(entry["path"]).endsWith("/spoof-probe"));
      if (!line) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(line?.["client_address"], envoy.output().slice(-2000)).toBe("127.0.0.1");
    expect(backend.received.at(-1)?.headers["x-envoy-external-address"]).toBe("127.0.0.1");
  });

  it("removes forwarding, URL-rewrite and method-override headers a client sends: the backend never sees them", async () => {
    const sent = Object.keys(CLIENT_CLAIMS).map((name) => `${name}: ${CLIENT_CLAIMS[name]}\r\n`).join("");
    expect((await get("/v1/shop/catalog/claims-probe", sent)).status).toBe(200);
    const request = backend.received.at(-1)!;
    expect(request.path).toBe("/v1/shop/catalog/claims-probe");
    const seen = Object.keys(CLIENT_CLAIMS).filter((name) => request.headers[name.toLowerCase()] !== undefined);
    expect(seen).toEqual([]);
  });

  it("cannot trick a backend that honours X-Original-URL into serving a path the gateway did not authorise", async () => {
    for (const header of ["X-Original-URL", "X-Rewrite-URL"]) {
      expect((await get("/v1/shop/catalog/items", `${header}: /v1/shop/admin/users\r\n`)).status).toBe(200);
      expect(pathServedByUrlRewritingBackend(backend.received.at(-1)!)).toBe("/v1/shop/catalog/items");
    }
  });

  it("treats a host name with a trailing dot as the host name, rules included", async () => {
    expect((await raw("GET /v1/shop/catalog/items HTTP/1.1\r\nHost: api.test.\r\nConnection: close\r\n\r\n")).status).toBe(200);
    expect((await raw("GET /v1/shop/admin/users HTTP/1.1\r\nHost: api.test.\r\nConnection: close\r\n\r\n")).status).toBe(401);
  });

  it("answers 404 for an unknown host, and routes a known host whatever port it names", async () => {
    expect((await raw("GET /v1/shop/catalog/items HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n")).status).toBe(404);
    expect((await raw("GET /v1/shop/catalog/items HTTP/1.1\r\nHost: api.test:1234\r\nConnection: close\r\n\r\n")).status).toBe(200);
  });
});
