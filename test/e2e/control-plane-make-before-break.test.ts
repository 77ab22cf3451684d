/**
 * Make-before-break against real Envoy 1.40: moving a route to a new cluster while dropping the old
 * one must not let Envoy lose the old cluster before it has the routes that no longer use it
 * (which would answer 503 "cluster not found" in between). SotW and Delta streams alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { backgroundLoad, eventually, get } from "../support/http-load.ts";
import { freePort } from "../support/ports.ts";
import { gatewaySnapshot } from "../support/snapshots.ts";

// Each switch is one chance to hit the window between "cluster removed" and "route moved"; odd, so
// the last one goes from a to b.
const SWITCHES = 9;

let cp: ControlPlane;
const backends: Record<string, TestBackend> = {};

beforeAll(async () => {
  [backends["a"], backends["b"]] = await Promise.all([startBackend("a"), startBackend("b")]);
  cp = await startControlPlane({ xdsPort: await freePort(), log: silentLogger, processMetrics: false });
});

afterAll(async () => {
  await stopAllEnvoys();
  await cp.close();
  await Promise.all(Object.values(backends).map((backend) => backend.close()));
});

describe.each([
  { mode: "SotW", delta: false },
  { mode: "Delta", delta: true },
])("make-before-break with a $mode Envoy", ({ delta }) => {
  it("moves a route from cluster a to cluster b (dropping a) under load without a failed request", async () => {
    const gateway = delta ? "mbb-delta" : "mbb-sotw";
    const listenerPort = await freePort();
    /** The gateway with /x routed to `cluster`, the only cluster it has. */
    const serveOnly = (cluster: string) =>
      cp.configs.apply({
        file: `${gateway}.yaml`,
        gateway,
        diagnostics: [],
        snapshot: gatewaySnapshot({ listenerPort, routes: [{ path: "/x", cluster }], clusters: [{ name: cluster, port: backends[cluster]!.port }] }),
      });
    serveOnly("a");
    await startEnvoy({ bootstrap: adsBootstrap({ nodeId: `${gateway}-1`, cluster: gateway, xdsPort: cp.xdsPort, delta }) as Record<string, unknown> });
    await eventually(() => get(listenerPort, "/x"), (r) => r.status === 200 && r.backend === "a", "/x served by a");

    const load = backgroundLoad(listenerPort, "/x");
    for (let switchNo = 1; switchNo <= SWITCHES; switchNo++) {
      const target = switchNo % 2 === 1 ? "b" : "a";
      serveOnly(target);
      await eventually(() => get(listenerPort, "/x"), (r) => r.backend === target, `/x served by ${target}`);
    }
    const { sent, failures } = await load.stop();

    expect(sent).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(await get(listenerPort, "/x")).toEqual({ status: 200, backend: "b" });
  });
});
