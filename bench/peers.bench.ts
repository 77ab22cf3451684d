/**
 * Portcullis against go-control-plane v0.14 (bench/peers/go-control-plane, built on demand into
 * ~/.cache/portcullis-bench): the same resources (one listener, 1,000 prefix routes, one cluster),
 * the same simulated SotW ADS clients (bench/support/ads-clients.ts) and the same 6 one-route edits.
 * Our side works as `serve --watch` does on an edit: it rewrites a 1,000-route gateway.yaml and
 * recompiles it (inside the timed edit and the CPU figure; no debounce); the peer gets the same
 * route table built plainly (test/support/snapshots.ts), as a hand-written go-control-plane
 * server would send it. Both servers are measured the same way, from /proc: CPU for connect +
 * edits, peak and idle RSS. Prints figures; never fails on timing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../src/envoy/type-urls.ts";
import { startControlPlane } from "../src/server/control-plane.ts";
import { silentLogger } from "../src/server/log.ts";
import { typeVersion } from "../src/server/snapshot-cache.ts";
import type { Snapshot } from "../src/xds/snapshot.ts";
import { gatewaySnapshot, manyRoutes } from "../test/support/snapshots.ts";
import { buildGoPeer } from "./support/go-peer.ts";
import { ms, printTable } from "./support/percentiles.ts";

const COUNTS = [100, 1000];
const ROUTES = 1000;
const EDITS = 6;
const clusters = [{ name: "a", port: 9 }];

/** The path of route `index` after `edit` one-route edits: route k renamed /r{k} → /e{k} for k < edit. */
const pathAfter = (edit: number, index: number) => (index < edit ? `/e${index}` : `/r${index}`);

/** The plain route table after `edit` edits, as the peer serves it. */
function snapshotAfter(edit: number): Snapshot {
  const routes = manyRoutes(ROUTES, "a").map((route, index) => ({ ...route, path: pathAfter(edit, index) }));
  return gatewaySnapshot({ listenerPort: 10000, routes, clusters });
}

/** The same gateway as a Portcullis YAML config: one listener, one service, 1,000 prefix routes. */
function yamlAfter(gateway: string, edit: number): string {
  const routes = Array.from({ length: ROUTES }, (_, index) => ({ name: `r${index}`, match: { prefix: pathAfter(edit, index) }, provider: "svc" }));
  return stringify({
    gateway: { name: gateway, listeners: [{ name: "web", port: 10000, hostnames: ["*"] }] },
    providers: { svc: { type: "service", endpoints: ["127.0.0.1:9"], plaintext: { reason: "benchmark backend on loopback" } } },
    apis: [
      {
        name: "bench",
        owner: "bench",
        description: "Benchmark routes.",
        basePath: "/bench",
        versions: { v1: { state: "published", access: { public: { reason: "benchmark API without identities" } }, routes } },
      },
    ],
  });
}

interface ProcStats {
  readonly cpuMs: number;
  readonly rssMb: number;
  readonly peakRssMb: number;
}

function procStats(pid: number | "self"): ProcStats {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks of 10 ms
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuMs: ticks * 10, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

/** A server under test: where clients connect, how to publish a snapshot, how to wait for ACKs. */
interface Server {
  readonly name: string;
  readonly pid: number | "self";
  readonly port: number;
  /** Serves the config after `edit` one-route edits to node.cluster = gateway; resolves to the routes version. */
  publish(gateway: string, edit: number): Promise<string>;
  allAcked(version: string, count: number): Promise<boolean>;
  close(): Promise<void>;
}

const routesVersion = (snapshot: Snapshot) => typeVersion(snapshot, ROUTE_CONFIGURATION_TYPE_URL);

async function portcullis(): Promise<Server> {
  const { compileGatewayFile } = await import("../src/compile.ts"); // as `portcullis serve`, the compiler is loaded
  const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
  const dir = mkdtempSync(join(tmpdir(), "peers-yaml-"));
  return {
    name: "Portcullis",
    pid: "self",
    port: plane.xdsPort,
    async publish(gateway, edit) {
      const file = join(dir, `${gateway}.yaml`);
      writeFileSync(file, yamlAfter(gateway, edit));
      const compiled = await compileGatewayFile(file);
      if (!compiled.snapshot) throw new Error(compiled.diagnostics.map((d) => d.message).join("\n"));
      plane.cache.setSnapshot(gateway, compiled.snapshot);
      return routesVersion(compiled.snapshot);
    },
    async allAcked(version, count) {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (plane.nodes.ackedCount(ROUTE_CONFIGURATION_TYPE_URL, version) >= count) return true;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return false;
    },
    async close() {
      await plane.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function goControlPlane(): Promise<Server> {
  const child: ChildProcess = spawn(buildGoPeer("go-control-plane"), [], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const waiting = new Map<string, () => void>();
  let listening: (port: number) => void;
  const port = new Promise<number>((resolve) => (listening = resolve));
  lines.on("line", (line) => {
    const [word, value = ""] = line.split(" ");
    if (word === "listening") listening(Number(value));
    if (word === "acked") waiting.get(value)?.();
  });
  const files = mkdtempSync(join(tmpdir(), "peer-"));
  let written = 0;
  return {
    name: "go-control-plane",
    pid: child.pid!,
    port: await port,
    async publish(gateway, edit) {
      const snapshot = snapshotAfter(edit);
      const dir = join(files, String(written++));
      mkdirSync(dir);
      for (const [typeUrl, file] of [[LISTENER_TYPE_URL, "listener"], [ROUTE_CONFIGURATION_TYPE_URL, "route"], [CLUSTER_TYPE_URL, "cluster"], [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, "endpoint"]] as const) {
        const [resource] = snapshot.resources.get(typeUrl)!.values();
        writeFileSync(join(dir, `${file}.pb`), resource!.bytes);
      }
      const version = routesVersion(snapshot);
      child.stdin!.write(`snapshot ${gateway} ${version} ${dir}\n`);
      return version;
    },
    allAcked(version, count) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), 120_000);
        waiting.set(version, () => {
          clearTimeout(timer);
          resolve(true);
        });
        child.stdin!.write(`expect ${version} ${count}\n`);
      });
    },
    async close() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(files, { recursive: true, force: true });
    },
  };
}

interface Figures {
  readonly editMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly idleRssMb: number;
}

async function measure(server: Server, count: number, idleRssMb: number): Promise<Figures> {
  const gateway = `peers-${count}`;
  const initial = await server.publish(gateway, 0);
  const before = procStats(server.pid);
  const clients = spawn(join(process.cwd(), "node_modules/.bin/node"), ["bench/support/ads-clients.ts", String(server.port), String(count), gateway], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const editTimes: number[] = [];
  try {
    if (!(await server.allAcked(initial, count))) throw new Error(`${server.name}: initial sync of ${count} clients timed out`);
    for (let edit = 1; edit <= EDITS; edit++) {
      const start = performance.now();
      const version = await server.publish(gateway, edit);
      if (!(await server.allAcked(version, count))) throw new Error(`${server.name}: edit at N = ${count} timed out`);
      editTimes.push(performance.now() - start);
    }
  } finally {
    clients.kill("SIGTERM");
    await new Promise((resolve) => clients.once("exit", resolve));
  }
  const after = procStats(server.pid);
  editTimes.sort((a, b) => a - b);
  return { editMs: editTimes[Math.floor(editTimes.length / 2)]!, cpuMs: after.cpuMs - before.cpuMs, peakRssMb: after.peakRssMb, idleRssMb };
}

const ours = await portcullis();
const peer = await goControlPlane();
const idle = new Map([ours, peer].map((server) => [server, procStats(server.pid).rssMb]));
const results = new Map<number, [Figures, Figures]>();
try {
  for (const count of COUNTS) {
    results.set(count, [await measure(ours, count, idle.get(ours)!), await measure(peer, count, idle.get(peer)!)]);
  }
} finally {
  await ours.close();
  await peer.close();
}

const routeConfigBytes = (snapshot: Snapshot) => [...snapshot.resources.get(ROUTE_CONFIGURATION_TYPE_URL)!.values()].reduce((sum, resource) => sum + resource.bytes.length, 0);
const yamlFile = join(mkdtempSync(join(tmpdir(), "peers-bytes-")), "gateway.yaml");
writeFileSync(yamlFile, yamlAfter("bytes", 0));
const { compileGatewayFile } = await import("../src/compile.ts");
const compiledBytes = routeConfigBytes((await compileGatewayFile(yamlFile)).snapshot!);
const plainBytes = routeConfigBytes(snapshotAfter(0));
const rows: string[][] = [];
const mb = (value: number) => `${value.toFixed(0)} MB`;
for (const [count, [a, b]] of results) {
  const row = (label: string, mine: number, theirs: number, format: (value: number) => string) => [`N = ${count}`, label, format(mine), format(theirs), (mine / theirs).toFixed(2)];
  rows.push(row("edit → last client ACKed (median of 6)", a.editMs, b.editMs, ms));
  rows.push(row("server CPU, connect + 6 edits", a.cpuMs, b.cpuMs, ms));
  rows.push(row("peak RSS (process lifetime)", a.peakRssMb, b.peakRssMb, mb));
  rows.push(row("idle RSS before any client", a.idleRssMb, b.idleRssMb, mb));
}
rows.push(["—", "RouteConfiguration bytes, 1,000 plain prefix routes (ours compiled, peer plain)", String(compiledBytes), String(plainBytes), (compiledBytes / plainBytes).toFixed(2)]);
printTable(
  `Peers: ${ROUTES} prefix routes, N simulated SotW ADS clients (separate process), ${EDITS} one-route edits`,
  ["N", "figure", "Portcullis", "go-control-plane", "ratio"],
  rows,
);
