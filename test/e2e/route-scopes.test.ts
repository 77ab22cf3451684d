/**
 * Route scopes through the control plane and a real Envoy 1.40 over delta xDS, keyed on one path
 * segment and on two: a compiled gateway whose routes split into scopes is served exactly as one
 * route table would serve it — queries, normalized paths that change scope, paths of no scope — a client
 * cannot pick a scope with the key header, which never reaches a backend, and a one-route edit
 * makes Envoy load only its own scope's route configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { ROUTE_SCOPE_HEADER } from "../../src/model/route-scope-header.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { type RunningEnvoy, startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { eventually } from "../support/http-load.ts";
import { freePort } from "../support/ports.ts";

const PUBLIC = { public: { reason: "route scope test" } };
let plane: ControlPlane;
let one: TestBackend;
let two: TestBackend;

/**
 * orders v1 (backend one) and v2 (backend two) by path; with `health`, an API versioned by header
 * at the one-segment path /health, which makes the listener key its scopes on one segment.
 */
function gateway(name: string, port: number, health: boolean, extraV2Route = false): GatewayConfig {
  const plaintext = { reason: "test backend on loopback" };
  const healthApi = {
    name: "health",
    owner: "shop",
    basePath: "/health",
    versioning: { by: "header" as const, header: "X-Api-Version", default: "v1" },
    versions: { v1: { state: "published" as const, access: PUBLIC, routes: [{ name: "check", match: { path: "/", methods: ["GET" as const] }, provider: "one" }] } },
  };
  return {
    gateway: { name, listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["127.0.0.1"] }] },
    providers: {
      one: { type: "service", endpoints: [`127.0.0.1:${one.port}`], plaintext },
      two: { type: "service", endpoints: [`127.0.0.1:${two.port}`], plaintext },
    },
    apis: [
      {
        name: "orders",
        owner: "shop",
        basePath: "/orders",
        versions: {
          v1: { state: "published", access: PUBLIC, routes: [{ name: "list", match: { path: "/", methods: ["GET"] }, provider: "one" }] },
          v2: {
            state: "published",
            access: PUBLIC,
            routes: [
              { name: "list", match: { path: "/", methods: ["GET"] }, provider: "two" },
              ...(extraV2Route ? [{ name: "stats", match: { path: "/stats", methods: ["GET" as const] }, provider: "two" }] : []),
            ],
          },
        },
      },
      ...(health ? [healthApi] : []),
    ],
  };
}

function serve(config: GatewayConfig): void {
  const { snapshot, diagnostics } = compileGateway(config);
  if (!snapshot) throw new Error(`does not compile: ${JSON.stringify(diagnostics)}`);
  plane.configs.apply({ file: `${config.gateway.name}.yaml`, gateway: config.gateway.name, diagnostics, snapshot });
}

beforeAll(async () => {
  [one, two] = await Promise.all([startBackend("one"), startBackend("two")]);
  plane = await startControlPlane({ xdsPort: await freePort(), log: silentLogger, processMetrics: false });
});

afterAll(async () => {
  await stopAllEnvoys();
  await plane.close();
  await Promise.all([one.close(), two.close()]);
});

describe.each([
  { keyedOn: "one segment", health: true, v1: "web/v1", v2: "web/v2", others: ["web/health"] },
  { keyedOn: "two segments", health: false, v1: "web/v1/orders", v2: "web/v2/orders", others: [] },
])("route scopes keyed on $keyedOn, through Envoy", ({ health, v1, v2, others }) => {
  const name = health ? "scopes-1" : "scopes-2";
  let envoy: RunningEnvoy;
  let port: number;

  async function call(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return { status: response.status, backend: response.headers.get("x-backend") };
  }

  /** Envoy's count of accepted updates of one route configuration. */
  async function routeUpdates(table: string): Promise<number> {
    const stats = await envoy.admin(`/stats?filter=${encodeURIComponent(`rds\\.${table}\\.update_success$`)}`);
    const line = stats.split("\n").find((text) => text.includes(`rds.${table}.update_success:`));
    if (!line) throw new Error(`no update_success stat for route configuration ${table}:\n${stats}`);
    return Number(line.slice(line.lastIndexOf(":") + 1));
  }

  beforeAll(async () => {
    port = await freePort();
    serve(gateway(name, port, health));
    envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: `${name}-1`, cluster: name, xdsPort: plane.xdsPort, delta: true }) as Record<string, unknown> });
    await eventually(() => call("/v1/orders"), (r) => r.status === 200, "/v1/orders served");
  });

  it("serves every scope, paths with a query included", async () => {
    expect(await call("/v1/orders?page=2")).toMatchObject({ status: 200, backend: "one" });
    expect(await call("/v2/orders")).toMatchObject({ status: 200, backend: "two" });
    if (health) {
      expect(await call("/health")).toMatchObject({ status: 200, backend: "one" });
      expect(await call("/health?probe=1")).toMatchObject({ status: 200, backend: "one" });
    }
  });

  it("takes the scope from the normalized path", async () => {
    expect(await call("/v2/../v1/orders")).toMatchObject({ status: 200, backend: "one" });
    expect(await call("//v2//orders")).toMatchObject({ status: 200, backend: "two" });
  });

  it("answers a path of no scope, and a method a scope's route does not take, as one table would", async () => {
    for (const path of ["/v3/orders", "/v1", "/v1/"]) expect(await call(path)).toEqual({ status: 404, backend: null });
    const post = await fetch(`http://127.0.0.1:${port}/v1/orders`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toContain("GET");
  });

  it("lets no client choose a scope with the key header, and never forwards it", async () => {
    const before = one.received.length;
    expect(await call("/v1/orders", { [ROUTE_SCOPE_HEADER]: "web/v2/orders" })).toMatchObject({ status: 200, backend: "one" });
    expect(await call("/v3/orders", { [ROUTE_SCOPE_HEADER]: "web/v1/orders" })).toMatchObject({ status: 404 });
    const forwarded = one.received.slice(before);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.headers[ROUTE_SCOPE_HEADER]).toBeUndefined();
  });

  it("sends Envoy only the edited scope's route configuration on a one-route edit", async () => {
    const untouched = [v1, ...others];
    const before = await Promise.all([v2, ...untouched].map(routeUpdates));
    expect((await call("/v2/orders/stats")).status).toBe(404);
    serve(gateway(name, port, health, true));
    expect(await eventually(() => call("/v2/orders/stats"), (r) => r.status === 200, "the new route")).toMatchObject({ backend: "two" });
    expect(await Promise.all([v2, ...untouched].map(routeUpdates))).toEqual([before[0]! + 1, ...before.slice(1)]);
  });
});
