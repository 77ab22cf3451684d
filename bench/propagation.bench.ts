/**
 * Propagation: from a new snapshot reaching the control plane to the first successful request on
 * the new route through a real Envoy, over 50 changes, at 100 and 3,000 routes. The baseline in the
 * same run is a request on an existing route (the floor: one round trip through Envoy).
 * Prints figures; never fails on timing.
 */
import { startControlPlane } from "../src/server/control-plane.ts";
import { silentLogger } from "../src/server/log.ts";
import { adsBootstrap } from "../src/xds/bootstrap-ads.ts";
import { startBackend } from "../test/support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../test/support/envoy.ts";
import { freePort } from "../test/support/ports.ts";
import { gatewaySnapshot, manyRoutes, type TestRoute } from "../test/support/snapshots.ts";
import { ms, percentile, printTable } from "./support/percentiles.ts";

const CHANGES = 50;
const ROUTE_COUNTS = [100, 3000];

async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function timeUntilOk(url: string, timeoutMs = 10_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await status(url)) === 200) return performance.now() - start;
  }
  return Number.NaN;
}

const backend = await startBackend("bench");
const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
const rows: string[][] = [];
try {
  for (const count of ROUTE_COUNTS) {
    const gateway = `bench-${count}`;
    const listenerPort = await freePort();
    const clusters = [{ name: "a", port: backend.port }];
    let routes: TestRoute[] = manyRoutes(count, "a");
    plane.cache.setSnapshot(gateway, gatewaySnapshot({ listenerPort, routes, clusters }));
    const envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: `bench-${count}`, cluster: gateway, xdsPort: plane.xdsPort }) as Record<string, unknown>, timeoutMs: 30_000 });
    const base = `http://127.0.0.1:${listenerPort}`;
    await timeUntilOk(`${base}/r0`, 30_000);

    const propagation: number[] = [];
    const serverSide: number[] = [];
    const floor: number[] = [];
    for (let change = 0; change < CHANGES; change++) {
      routes = [...routes, { path: `/new-${change}`, cluster: "a" }];
      const snapshot = gatewaySnapshot({ listenerPort, routes, clusters }); // built before the clock starts
      const start = performance.now();
      plane.cache.setSnapshot(gateway, snapshot); // encodes and writes to every stream synchronously
      serverSide.push(performance.now() - start);
      while ((await status(`${base}/new-${change}`)) !== 200 && performance.now() - start < 10_000);
      propagation.push(performance.now() - start);
      const floorStart = performance.now();
      await status(`${base}/r0`);
      floor.push(performance.now() - floorStart);
    }
    await envoy.stop();
    rows.push([String(count), "new route served", ms(percentile(propagation, 50)), ms(percentile(propagation, 99)), ms(Math.max(...propagation))]);
    rows.push([String(count), "of which control plane (encode + write)", ms(percentile(serverSide, 50)), ms(percentile(serverSide, 99)), ms(Math.max(...serverSide))]);
    rows.push([String(count), "baseline: existing route", ms(percentile(floor, 50)), ms(percentile(floor, 99)), ms(Math.max(...floor))]);
  }
} finally {
  await stopAllEnvoys();
  await plane.close();
  await backend.close();
}
printTable(`Propagation: snapshot set → first 200 on the new route through Envoy (${CHANGES} changes; target p50 ≤ 10 ms, p99 ≤ 50 ms at 3,000 routes)`, ["routes", "measure", "p50", "p99", "max"], rows);
