/**
 * Fan-out: N simulated ADS clients (a separate process, one connection each like Envoys) receive a
 * 1,000-route snapshot and ACK it. Reports the time until every client ACKed (initial sync and an
 * update), the control plane's CPU time, peak RSS, and where the memory held per client goes (V8
 * heap, buffers, native: nghttp2 sessions and sockets). Baselines in the same run: the idle server,
 * and what encoding the response once per client (instead of once) would cost. Prints figures;
 * never fails on timing.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { getHeapSpaceStatistics } from "node:v8";
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

// `portcullis serve` compiles in-process, so the compiler is loaded here too: the idle figure is
// what a real serve process holds, not a server stripped for the benchmark.
await import("../src/compile.ts");
const plane = await startControlPlane({ log: silentLogger, processMetrics: false });

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapCommitted: number;
  /** Of the committed heap, the young generation: sized by allocation churn, not by what is kept. */
  readonly youngCommitted: number;
  readonly buffers: number;
  /** Native memory Node reports to V8 as external besides Buffers: mostly nghttp2 sessions. */
  readonly nghttp2: number;
  /** The rest of RSS: Node and V8 themselves, sockets, and what malloc keeps of freed memory. */
  readonly native: number;
}

/**
 * Memory still held once writes have drained, V8 had time to shrink its young generation and a full
 * GC ran (bench/run.ts passes --expose-gc), in MB.
 */
async function retainedMemory(): Promise<Memory> {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const young = getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
  const mb = (bytes: number) => bytes / 1024 / 1024;
  return {
    rss: mb(rss),
    heapUsed: mb(heapUsed),
    heapCommitted: mb(heapTotal),
    youngCommitted: mb(young),
    buffers: mb(arrayBuffers),
    nghttp2: mb(external - arrayBuffers),
    native: mb(rss - heapTotal - external),
  };
}

const idle = await retainedMemory();

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
const memoryRows: string[][] = [];
const memoryRow = (label: string, memory: Memory, clients: number) => {
  const perClient = (value: number, base: number) => (clients > 0 ? ` (${(((value - base) * 1024) / clients).toFixed(1)} KB/client)` : "");
  return [
    label,
    `${memory.rss.toFixed(0)} MB${perClient(memory.rss, idle.rss)}`,
    `${memory.heapUsed.toFixed(1)} MB${perClient(memory.heapUsed, idle.heapUsed)}`,
    `${memory.heapCommitted.toFixed(0)} MB (young ${memory.youngCommitted.toFixed(0)} MB)`,
    `${memory.buffers.toFixed(1)} MB`,
    `${memory.nghttp2.toFixed(1)} MB${perClient(memory.nghttp2, idle.nghttp2)}`,
    `${memory.native.toFixed(0)} MB${perClient(memory.native, idle.native)}`,
  ];
};
memoryRows.push(memoryRow("idle (baseline)", idle, 0));
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
      memoryRows.push(memoryRow(`N = ${count}, all ACKed`, await retainedMemory(), count));
    } finally {
      clients.kill("SIGTERM");
      await new Promise((resolve) => clients.once("exit", resolve));
    }
  }
} finally {
  await plane.close();
}
baselines.forEach(([snapshot, count], index) => {
  rows[index]!.push(ms(naiveEncodeCpu(snapshot, count)));
});
console.log("server process: control plane + compiler (as `portcullis serve`); clients: a separate process, one connection per client");
printTable(
  `Fan-out: ${ROUTES}-route snapshot to N simulated ADS clients (separate process); target ≤ 1 s and ≤ 200 MB at N = 1,000`,
  ["N", "connect→all ACKed", "server CPU", "update→all ACKed", "server CPU (update)", "server peak RSS", "baseline: encode per client (CPU)"],
  rows,
);
printTable(
  "Fan-out memory held by the server after a full GC (per client: growth over idle / N; other native = RSS − V8 heap committed − external)",
  ["state", "RSS", "V8 heap used", "V8 heap committed", "Buffers", "other external (nghttp2)", "other native"],
  memoryRows,
);
