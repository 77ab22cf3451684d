/**
 * Routing the way users expect, through a real Envoy: an API's unversioned routes (a health check
 * beside path-versioned routes) with their own access rules, and the trailing-slash policy — with
 * `trailingSlash: optional` (the default) `/v1/orders/` is the route of `/v1/orders` in every
 * respect (status, access, 405), while templates and prefixes match as before; with `strict` the
 * slashed path is 404.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessMatrix } from "../../src/access/matrix.ts";
import { selectRoute } from "../../src/access/requests.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

const KEY = "orders-test-key-0123456789";
let backend: TestBackend;
let port: number;
let ir: GatewayIR;

function config(backendPort: number, listenerPort: number): GatewayConfig {
  const orders = "orders";
  return {
    gateway: { name: "routing-paths", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["localhost", "127.0.0.1"] }] },
    identities: { partners: { type: "apiKey", consumers: [{ name: "acme", keys: { env: "ORDERS_KEYS" } }] } },
    providers: { [orders]: { type: "service", endpoints: [`127.0.0.1:${backendPort}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "orders",
        owner: "shop",
        basePath: "/orders",
        unversioned: {
          access: { allow: [{ identity: "partners" }] },
          routes: [
            { name: "health", match: { path: "/health", methods: ["GET"] }, provider: orders, access: { public: { reason: "load balancer health probes need no identity" } } },
            { name: "stats", match: { path: "/stats", methods: ["GET"] }, provider: orders },
          ],
        },
        versions: {
          v1: {
            state: "published",
            access: { allow: [{ identity: "partners" }] },
            routes: [
              { name: "list", match: { path: "/", methods: ["GET"] }, provider: orders },
              { name: "one", match: { template: "/{id}", methods: ["GET"] }, provider: orders, access: { public: { reason: "single orders are looked up by their id" } } },
              { name: "files", match: { prefix: "/files", methods: ["GET"] }, provider: orders, access: { public: { reason: "order documents are public" } } },
              { name: "legacy", match: { path: "/legacy", methods: ["GET"] }, provider: orders, rewrite: { prefix: "/internal/legacy" }, access: { public: { reason: "the legacy listing is public" } } },
            ],
          },
        },
      },
      {
        name: "strict",
        owner: "shop",
        basePath: "/strict",
        trailingSlash: "strict",
        versions: {
          v1: {
            state: "published",
            access: { public: { reason: "a public API for the strict trailing-slash test" } },
            routes: [{ name: "list", match: { path: "/", methods: ["GET"] }, provider: orders }],
          },
        },
      },
    ],
  };
}

async function call(path: string, options: { key?: boolean; method?: string } = {}): Promise<{ status: number; allow: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: options.method ?? "GET", headers: options.key ? { "x-api-key": KEY } : {} });
  await response.arrayBuffer();
  return { status: response.status, allow: response.headers.get("allow") };
}

beforeAll(async () => {
  backend = await startBackend("orders");
  port = await freePort();
  ({ ir } = await startCompiledEnvoy(config(backend.port, port), { env: { ORDERS_KEYS: KEY } }));
}, 60_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
});

describe("unversioned routes", () => {
  it("serves the health route at {basePath}{path}, with no version segment, to anyone", async () => {
    expect(await call("/orders/health")).toEqual({ status: 200, allow: null });
    expect(backend.received.at(-1)?.path).toBe("/orders/health");
  });

  it("enforces their access rules: the section's rules deny callers without a key", async () => {
    expect((await call("/orders/stats")).status).toBe(401);
    expect((await call("/orders/stats", { key: true })).status).toBe(200);
  });
});

describe("trailing slash", () => {
  it("gives /v1/orders/ exactly what /v1/orders gets: status, access and 405", async () => {
    for (const path of ["/v1/orders", "/v1/orders/", "/v1/orders//", "/v1/orders/?page=2"]) {
      expect((await call(path)).status, `${path} without a key`).toBe(401);
      expect((await call(path, { key: true })).status, `${path} with a key`).toBe(200);
      expect(await call(path, { key: true, method: "POST" }), `POST ${path}`).toEqual({ status: 405, allow: "GET, HEAD" });
    }
    // The service sees the path as sent.
    await call("/v1/orders/", { key: true });
    expect(backend.received.at(-1)?.path).toBe("/v1/orders/");
  });

  it("keeps templates and prefixes as they were", async () => {
    expect((await call("/v1/orders/42")).status).toBe(200);
    expect((await call("/v1/orders/42/")).status).toBe(404);
    for (const path of ["/v1/orders/files", "/v1/orders/files/", "/v1/orders/files/a.pdf"]) expect((await call(path)).status, path).toBe(200);
    // Whole segments only: /files-x/1 is neither the prefix nor the one-segment template.
    expect((await call("/v1/orders/files-x/1")).status).toBe(404);
    expect((await call("/v1/ordersx", { key: true })).status).toBe(404);
  });

  it("rewrites a slashed path to the same upstream path", async () => {
    await call("/v1/orders/legacy");
    const plain = backend.received.at(-1)?.path;
    await call("/v1/orders/legacy/");
    expect(plain).toBe("/internal/legacy");
    // The whole matched path is replaced, slash and all: the service sees one path for the route.
    expect(backend.received.at(-1)?.path).toBe("/internal/legacy");
  });

  it("answers 404 for the slashed path of an API with trailingSlash: strict", async () => {
    expect((await call("/v1/strict")).status).toBe(200);
    expect((await call("/v1/strict/")).status).toBe(404);
  });
});

describe("portcullis explain", () => {
  it("predicts what Envoy answers on the unversioned routes, for every caller it tells apart", async () => {
    const matrix = accessMatrix(ir);
    const cells = matrix.cells.filter((cell) => cell.route.startsWith("orders.-.") && cell.method === "GET");
    expect(new Set(cells.map((cell) => cell.route))).toEqual(new Set(["orders.-.health", "orders.-.stats"]));
    for (const cell of cells) {
      const column = matrix.columns.find((c) => c.route === cell.route && c.method === "GET")!;
      const got = await call(column.path, { key: cell.caller.startsWith("apiKey:") });
      expect(got.status, `${cell.caller} GET ${column.path}`).toBe(cell.status);
    }
  });

  it("takes /v1/orders/ to the route of /v1/orders, and a strict API's slashed path to none, as Envoy does", () => {
    const list = ir.routes.find((route) => route.id === "orders.v1.list")!;
    expect(selectRoute(ir.routes, "localhost", { method: "GET", path: "/v1/orders/", headers: {} })).toBe(list);
    expect(selectRoute(ir.routes, "localhost", { method: "GET", path: "/v1/strict/", headers: {} })).toBeUndefined();
  });
});
