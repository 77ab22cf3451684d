/**
 * Fan-out: N simulated ADS clients (a separate process) receive a 1,000-route snapshot and ACK it.
 * Reports the time until every client ACKed (initial sync and an update), the control plane's CPU
 * time and peak RSS. The baseline in the same run is what encoding the response once per client
 * (instead of once) would cost. Prints figures; never fails on timing.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DiscoveryResponseSchema } from "../generated/envoy/service/discovery/v3/discovery_pb.js";
import { ROUTE_CONFIGURATION_TYPE_URL } from "../src/envoy/type-urls.ts";
import { startControlPlane } from "../src/server/control-plane.ts";
import { silentLogger } from "../src/server/log.ts";
import { typeVersion } from "../src/server/snapshot-cache.ts";
import type { Snapshot } from "../src/xds/snapshot.ts";
import { gatewaySnapshot, manyRoutes } from "../test/support/snapshots.ts";
import { ms, printTable } from "./support/percentiles.ts";

const COUNTS = [100, 1000];
const ROUTES = 1000;
const clusters = [{ name: "a", port: 9 }];
const snapshotWith = (extra: number) => gatewaySnapshot({ listenerPort: 10000, routes: manyRoutes(ROUTES + extra, "a"), clusters });

const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
const idleRssMb = process.memoryUsage().rss / 1024 / 1024;

async function allAcked(count: number, snapshot: Snapshot, timeoutMs = 120_000): Promise<boolean> {
  const version = typeVersion(snapshot, ROUTE_CONFIGURATION_TYPE_URL);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (plane.nodes.ackedCount(ROUTE_CONFIGURATION_TYPE_URL, version) >= count) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

/** CPU ms of encoding one routes response per client with protobuf-es, the naive way. */
function naiveEncodeCpu(snapshot: Snapshot, count: number): number {
  const routes = snapshot.resources.get(ROUTE_CONFIGURATION_TYPE_URL)!;
  const before = process.cpuUsage();
  for (let client = 0; client < count; client++) {
    const resources = [...routes.values()].map((r) => ({ typeUrl: r.typeUrl, value: toBinary(r.schema, r.message) }));
    toBinary(DiscoveryResponseSchema, create(DiscoveryResponseSchema, { versionInfo: "v", typeUrl: ROUTE_CONFIGURATION_TYPE_URL, nonce: String(client), resources }));
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const rows: string[][] = [];
// Measured after all rounds, so the naive encoding does not inflate the server's peak RSS.
const baselines: [Snapshot, number][] = [];
try {
  for (const [round, count] of COUNTS.entries()) {
    const gateway = `fanout-${count}`;
    const first = snapshotWith(round * 2);
    plane.cache.setSnapshot(gateway, first);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const clients = spawn(join(process.cwd(), "node_modules/.bin/node"), ["bench/support/ads-clients.ts", String(plane.xdsPort), String(count), gateway], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    try {
      const synced = await allAcked(count, first);
      const syncMs = performance.now() - start;
      const syncCpu = process.cpuUsage(cpuStart);

      const update = snapshotWith(round * 2 + 1); // built before the clock starts
      const updateCpuStart = process.cpuUsage();
      const updateStart = performance.now();
      plane.cache.setSnapshot(gateway, update);
      const updated = await allAcked(count, update);
      const updateMs = performance.now() - updateStart;
      const updateCpu = process.cpuUsage(updateCpuStart);
      const peakRssMb = process.resourceUsage().maxRSS / 1024;
      rows.push([
        String(count),
        synced ? ms(syncMs) : "timeout",
        ms((syncCpu.user + syncCpu.system) / 1000),
        updated ? ms(updateMs) : "timeout",
        ms((updateCpu.user + updateCpu.system) / 1000),
        `${peakRssMb.toFixed(0)} MB`,
      ]);
      baselines.push([update, count]);
    } finally {
      clients.kill("SIGTERM");
      await new Promise((resolve) => clients.once("exit", resolve));
    }
  }
} finally {
  await plane.close();
}
baselines.forEach(([snapshot, count], index) => rows[index]!.push(ms(naiveEncodeCpu(snapshot, count))));
console.log(`control plane RSS when idle: ${idleRssMb.toFixed(0)} MB`);
printTable(
  `Fan-out: ${ROUTES}-route snapshot to N simulated ADS clients (separate process); target ≤ 1 s and ≤ 200 MB at N = 1,000`,
  ["N", "connect→all ACKed", "server CPU", "update→all ACKed", "server CPU (update)", "server peak RSS", "baseline: encode per client (CPU)"],
  rows,
);
