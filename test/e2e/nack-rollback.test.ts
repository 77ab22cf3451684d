/**
 * A snapshot is never applied partially. Envoy applies each xDS type on its own, so a rejected
 * listener edit used to leave its new routes (RDS, ACKed) served on the old listener. Now routes
 * wait for the node's answer to the listeners, and a NACK of any type reverts the node to the last
 * snapshot it fully accepted, with the rejected resource, Envoy's reason and the snapshot on /status.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "@bufbuild/protobuf";
import { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { compileGatewayFile } from "../../src/compile.ts";
import { LISTENER_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import type { NodeStatus } from "../../src/server/node-status.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { buildSnapshot, type Snapshot, type XdsResource } from "../../src/xds/snapshot.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { eventually, get } from "../support/http-load.ts";
import { freePort } from "../support/ports.ts";
import { gatewaySnapshot, resourceFromJson, type TestGateway } from "../support/snapshots.ts";

let cp: ControlPlane;
let backend: TestBackend;
let good: TestGateway;

/** A snapshot with some resources swapped for others of the same type and name. */
function replacing(snapshot: Snapshot, ...replacements: XdsResource[]): Snapshot {
  const all = [...snapshot.resources.values()].flatMap((ofType) => [...ofType.values()]);
  const replaced = (resource: XdsResource) => replacements.some((r) => r.typeUrl === resource.typeUrl && r.name === resource.name);
  return buildSnapshot([...all.filter((resource) => !replaced(resource)), ...replacements]);
}

/** The listener "http" as before, but with a terminal HTTP filter before the last: Envoy NACKs the listener. */
function rejectedListener(port: number): XdsResource {
  const hcm: JsonValue = {
    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    stat_prefix: "http",
    rds: { route_config_name: "routes", config_source: { ads: {}, resource_api_version: "V3" } },
    http_filters: [
      { name: "router-too-early", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
      { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
    ],
  };
  return resourceFromJson(ListenerSchema, "http", {
    name: "http",
    address: { socket_address: { address: "127.0.0.1", port_value: port } },
    filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: hcm }] }],
  });
}

async function nodeStatus(nodeId: string): Promise<NodeStatus | undefined> {
  const body = (await (await fetch(`http://127.0.0.1:${cp.adminPort}/status`)).json()) as { nodes: NodeStatus[] };
  return body.nodes.find((node) => node.nodeId === nodeId);
}

async function routePaths(envoy: RunningEnvoy): Promise<string> {
  return envoy.admin("/config_dump?resource=dynamic_route_configs");
}

beforeAll(async () => {
  backend = await startBackend("a");
  cp = await startControlPlane({ log: silentLogger, processMetrics: false });
});

afterAll(async () => {
  await stopAllEnvoys();
  await cp.close();
  await backend.close();
});

describe.each([
  { mode: "sotw", delta: false },
  { mode: "delta", delta: true },
])("a snapshot Envoy rejects ($mode)", ({ mode, delta }) => {
  const nodeId = `edge-${mode}`;
  const gateway = `shop-${mode}`;
  let envoy: RunningEnvoy;
  let goodSnapshot: Snapshot;

  it("starts from a snapshot the node accepts", async () => {
    good = { listenerPort: await freePort(), routes: [{ path: "/a", cluster: "a" }], clusters: [{ name: "a", port: backend.port }] };
    goodSnapshot = gatewaySnapshot(good);
    cp.configs.apply({ file: `${gateway}.yaml`, gateway, diagnostics: [], snapshot: goodSnapshot });
    envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId, cluster: gateway, xdsPort: cp.xdsPort, delta }) as Record<string, unknown> });
    expect(await eventually(() => get(good.listenerPort, "/a"), (r) => r.status === 200, "route /a")).toMatchObject({ backend: "a" });
  });

  it("does not serve the new route of a rejected listener edit, and names the listener on /status", async () => {
    const edited = gatewaySnapshot({ ...good, routes: [...good.routes, { path: "/new", cluster: "a" }] });
    const rejected = replacing(edited, rejectedListener(good.listenerPort));
    cp.configs.apply({ file: `${gateway}.yaml`, gateway, diagnostics: [], snapshot: rejected });
    const status = await eventually(() => nodeStatus(nodeId), (node) => node?.lastNack?.snapshot === rejected.version && node.servingSnapshot === goodSnapshot.version, "the NACK and the revert on /status");
    expect(status!.lastNack).toMatchObject({ type: "Listener", resources: [{ name: "http" }], revertedTo: goodSnapshot.version });
    expect(status!.lastNack!.message).toMatch(/router-too-early.*must be the last filter/);
    expect(status!.lastNack!.message.length).toBeLessThan(600);
    // Everything the node was sent is answered: it runs the last good snapshot, all of it.
    await eventually(() => nodeStatus(nodeId), (node) => node?.acked["RouteConfiguration"] !== undefined && node.acked["Listener"] !== undefined, "the revert ACKed");
    expect(await routePaths(envoy)).not.toContain('"/new"');
    expect((await get(good.listenerPort, "/new")).status).toBe(404);
    expect((await get(good.listenerPort, "/a")).status).toBe(200);
  });

  it("reverts listeners it accepted when the routes of the same snapshot are rejected", async () => {
    const extraPort = await freePort();
    const withExtra = gatewaySnapshot({ ...good, routes: [...good.routes, { path: "/b", cluster: "a" }] });
    const extraListener = replacing(gatewaySnapshot({ ...good, listenerPort: extraPort, listenerName: "extra" })).resources.get(LISTENER_TYPE_URL)!.get("extra")!;
    const badRoutes = resourceFromJson(RouteConfigurationSchema, "routes", {
      name: "routes",
      virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { safe_regex: { regex: "(unclosed" } }, route: { cluster: "a" } }] }],
    });
    const rejected = replacing(buildSnapshot([...[...withExtra.resources.values()].flatMap((m) => [...m.values()]), extraListener]), badRoutes);
    cp.configs.apply({ file: `${gateway}.yaml`, gateway, diagnostics: [], snapshot: rejected });
    const status = await eventually(() => nodeStatus(nodeId), (node) => node?.lastNack?.snapshot === rejected.version && node.servingSnapshot === goodSnapshot.version, "the RDS NACK and the revert");
    expect(status!.lastNack).toMatchObject({ type: "RouteConfiguration", resources: [{ name: "routes" }] });
    // The listener the rejected snapshot added goes away again.
    await eventually(() => get(extraPort, "/a"), (r) => r.status === 0, "the extra listener to be removed");
    expect((await get(good.listenerPort, "/a")).status).toBe(200);
    expect(await routePaths(envoy)).not.toContain("unclosed");
  });

  it("moves on to the next good snapshot", async () => {
    const next = gatewaySnapshot({ ...good, routes: [...good.routes, { path: "/next", cluster: "a" }] });
    cp.configs.apply({ file: `${gateway}.yaml`, gateway, diagnostics: [], snapshot: next });
    expect(await eventually(() => get(good.listenerPort, "/next"), (r) => r.status === 200, "route /next")).toMatchObject({ backend: "a" });
    await eventually(() => nodeStatus(nodeId), (node) => node?.servingSnapshot === next.version, "the node serving the new snapshot");
  });
});

describe("a NACK of a compiled config", () => {
  it("names the rejected listener's place in the config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-nack-"));
    // Envoy binds a listener when it takes it: a port held by another socket is a NACK no compile check sees.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const file = join(dir, "gateway.yaml");
      writeFileSync(
        file,
        [
          "gateway:",
          "  name: taken",
          "  listeners:",
          `    - { name: web, address: 127.0.0.1, port: ${port}, hostnames: [api.test] }`,
          "providers:",
          `  app: { type: service, endpoints: ["127.0.0.1:${backend.port}"], plaintext: { reason: test backend on loopback } }`,
          "apis:",
          "  - name: shop",
          "    owner: test",
          "    basePath: /shop",
          "    versions:",
          "      v1:",
          "        state: published",
          "        access: { public: { reason: a public test route } }",
          "        routes: [{ name: all, match: { prefix: / }, provider: app }]",
          "",
        ].join("\n"),
      );
      const outcome = await compileGatewayFile(file);
      expect(outcome.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      cp.configs.apply(outcome);
      await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "edge-taken", cluster: "taken", xdsPort: cp.xdsPort }) as Record<string, unknown> });
      const status = await eventually(() => nodeStatus("edge-taken"), (node) => node?.lastNack?.type === "Listener", "the listener's NACK");
      expect(status!.lastNack!.resources).toEqual([{ name: "web", path: "gateway.listeners.0", location: expect.objectContaining({ file, line: 4, column: 7 }) }]);
      expect(status!.lastNack!.message).toMatch(/cannot bind '127\.0\.0\.1:\d+': Address already in use/);
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
