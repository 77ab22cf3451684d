// A config file is the source of one gateway; renaming the gateway in it must not leave the old
// name served to new proxies (a fleet would keep joining a gateway nobody maintains any more).
import { describe, expect, it } from "vitest";
import { GatewayRegistry } from "../../src/server/gateway-registry.ts";
import { silentLogger } from "../../src/server/log.ts";
import { ControlPlaneMetrics } from "../../src/server/metrics.ts";
import { SnapshotCache } from "../../src/server/snapshot-cache.ts";
import { gatewaySnapshot } from "../support/snapshots.ts";

const snapshot = gatewaySnapshot({ listenerPort: 10000, routes: [{ path: "/a", cluster: "a" }], clusters: [{ name: "a", port: 9001 }] });

describe("GatewayRegistry", () => {
  it("stops offering a gateway's old name when its config renames it, and keeps the metric honest", async () => {
    const cache = new SnapshotCache();
    const metrics = new ControlPlaneMetrics({ processMetrics: false });
    const registry = new GatewayRegistry(cache, metrics, silentLogger);
    registry.apply({ file: "/configs/shop.yaml", diagnostics: [], gateway: "shop", snapshot });
    expect(cache.gateways()).toEqual(["shop"]);

    registry.apply({ file: "/configs/shop.yaml", diagnostics: [], gateway: "store", snapshot });
    expect(cache.gateways()).toEqual(["store"]);
    expect(registry.list().map((config) => config.gateway)).toEqual(["store"]);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('gateway="store"');
    expect(exposition).not.toContain('gateway="shop"');
  });

  it("keeps serving the last good snapshot when a later compile fails", () => {
    const cache = new SnapshotCache();
    const registry = new GatewayRegistry(cache, new ControlPlaneMetrics({ processMetrics: false }), silentLogger);
    registry.apply({ file: "/configs/shop.yaml", diagnostics: [], gateway: "shop", snapshot });
    registry.apply({ file: "/configs/shop.yaml", diagnostics: [{ code: "PCL3001", severity: "error", message: "broken" }] });
    expect(cache.getSnapshot("shop")).toBe(snapshot);
    expect(registry.list()[0]).toMatchObject({ gateway: "shop", version: snapshot.version, upToDate: false });
  });
});
