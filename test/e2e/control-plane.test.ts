/**
 * The control plane against real Envoy 1.40: boot from the generated bootstrap, hot route changes
 * under load, control-plane restarts, NACKs, SotW and Delta side by side, and per-gateway nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { backgroundLoad, eventually, get } from "../support/http-load.ts";
import { freePort } from "../support/ports.ts";
import { gatewaySnapshot, resourceFromJson, type TestGateway } from "../support/snapshots.ts";
import { buildSnapshot } from "../../src/xds/snapshot.ts";

let cp: ControlPlane;
let xdsPort: number;
let backendA: TestBackend;
let backendB: TestBackend;
let shop: TestGateway;

async function startControlPlaneOn(port: number): Promise<ControlPlane> {
  const plane = await startControlPlane({ xdsPort: port, log: silentLogger, processMetrics: false });
  plane.configs.apply({ file: "shop.yaml", gateway: "shop", diagnostics: [], snapshot: gatewaySnapshot(shop) });
  return plane;
}

function envoyFor(nodeId: string, cluster: string, delta = false): Promise<RunningEnvoy> {
  return startEnvoy({ bootstrap: adsBootstrap({ nodeId, cluster, xdsPort, delta }) as Record<string, unknown> });
}

beforeAll(async () => {
  [backendA, backendB] = await Promise.all([startBackend("a"), startBackend("b")]);
  xdsPort = await freePort();
  shop = { listenerPort: await freePort(), routes: [{ path: "/a", cluster: "a" }], clusters: [{ name: "a", port: backendA.port }] };
  cp = await startControlPlaneOn(xdsPort);
});

afterAll(async () => {
  await stopAllEnvoys();
  await cp.close();
  await Promise.all([backendA.close(), backendB.close()]);
});

describe("control plane with real Envoy", () => {
  let edge: RunningEnvoy;

  it("boots Envoy from the generated bootstrap and proxies to the backend", async () => {
    edge = await envoyFor("edge-1", "shop");
    expect(await eventually(() => get(shop.listenerPort, "/a"), (r) => r.status === 200, "route /a")).toMatchObject({ backend: "a" });
    expect(cp.nodes.get("edge-1")).toMatchObject({ gateway: "shop", mode: "sotw", connected: true });
  });

  it("adds a route without restarting Envoy while a concurrent load sees no failure", async () => {
    const load = backgroundLoad(shop.listenerPort, "/a");
    shop = { ...shop, routes: [...shop.routes, { path: "/b", cluster: "b" }], clusters: [...shop.clusters, { name: "b", port: backendB.port }] };
    cp.configs.apply({ file: "shop.yaml", gateway: "shop", diagnostics: [], snapshot: gatewaySnapshot(shop) });
    expect(await eventually(() => get(shop.listenerPort, "/b"), (r) => r.status === 200, "new route /b")).toMatchObject({ backend: "b" });
    const { sent, failures } = await load.stop();
    expect(sent).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it("keeps serving while the control plane is down and re-syncs after it restarts", async () => {
    const load = backgroundLoad(shop.listenerPort, "/b");
    const before = cp.nodes.get("edge-1")?.acked["RouteConfiguration"];
    expect(before).toBeDefined();
    await cp.close();
    await eventually(async () => (await edge.admin("/stats?filter=control_plane.connected_state")).includes("connected_state: 0"), Boolean, "Envoy to notice");
    expect((await get(shop.listenerPort, "/a")).status).toBe(200);
    cp = await startControlPlaneOn(xdsPort);
    const routesVersion = await eventually(
      async () => cp.nodes.get("edge-1")?.acked["RouteConfiguration"],
      (version) => version !== undefined,
      "Envoy to reconnect and ACK",
    );
    // Deterministic snapshots: the restarted server serves exactly what Envoy already had.
    expect(routesVersion).toBe(before);
    const { sent, failures } = await load.stop();
    expect(sent).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it("records a resource Envoy rejects as a NACK on /status and keeps the previous config serving", async () => {
    const badRoutes = resourceFromJson(RouteConfigurationSchema, "routes", {
      name: "routes",
      virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { safe_regex: { regex: "(unclosed" } }, route: { cluster: "a" } }] }],
    });
    const good = gatewaySnapshot(shop);
    const withBad = buildSnapshot([...[...good.resources.values()].flatMap((m) => [...m.values()]).filter((r) => r.typeUrl !== ROUTE_CONFIGURATION_TYPE_URL), badRoutes]);
    cp.configs.apply({ file: "shop.yaml", gateway: "shop", diagnostics: [], snapshot: withBad });
    const status = await eventually(
      async () => (await (await fetch(`http://127.0.0.1:${cp.adminPort}/status`)).json()) as { nodes: { nodeId: string; lastNack?: { type: string; message: string } }[] },
      (body) => body.nodes.some((n) => n.nodeId === "edge-1" && n.lastNack?.type === "RouteConfiguration"),
      "a NACK on /status",
    );
    expect(status.nodes.find((n) => n.nodeId === "edge-1")?.lastNack?.message).toMatch(/regex|unclosed|missing/i);
    expect((await get(shop.listenerPort, "/b")).status).toBe(200);
    cp.configs.apply({ file: "shop.yaml", gateway: "shop", diagnostics: [], snapshot: good });
  });

  it("converges a SotW and a Delta Envoy on the same config, and serves each node.cluster its own gateway", async () => {
    const other: TestGateway = { listenerPort: await freePort(), routes: [{ path: "/other", cluster: "b" }], clusters: [{ name: "b", port: backendB.port }] };
    cp.configs.apply({ file: "other.yaml", gateway: "other", diagnostics: [], snapshot: gatewaySnapshot(other) });
    const [deltaEdge, otherEdge] = await Promise.all([envoyFor("edge-delta", "shop", true), envoyFor("edge-other", "other")]);
    expect(cp.nodes.get("edge-delta")).toMatchObject({ mode: "delta", gateway: "shop" });
    const routeConfigs = async (envoy: RunningEnvoy) => {
      const dump = JSON.parse(await envoy.admin("/config_dump?resource=dynamic_route_configs")) as { configs: { route_config: unknown }[] };
      return dump.configs.map((config) => config.route_config);
    };
    const expected = await routeConfigs(edge);
    expect(expected).toHaveLength(1);
    await eventually(() => routeConfigs(deltaEdge), (configs) => JSON.stringify(configs) === JSON.stringify(expected), "delta Envoy to converge");
    expect(await eventually(() => get(other.listenerPort, "/other"), (r) => r.status === 200, "gateway other")).toMatchObject({ backend: "b" });
    expect((await get(other.listenerPort, "/a")).status).toBe(404);
    expect(JSON.stringify(await routeConfigs(otherEdge))).not.toContain('"/a"');
  });
});
