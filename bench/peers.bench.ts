/**
 * Portcullis against go-control-plane v0.14 (bench/peers/go-control-plane, built on demand into
 * ~/.cache/portcullis-bench): the same resources (one listener, 1,000 prefix routes, one cluster),
 * the same simulated SotW ADS clients (bench/support/ads-clients.ts, which count their own ACKs)
 * and the same 20 one-route edits (the peak-memory target is through 20). Our side is the built package's `portcullis serve --watch` in a
 * process of its own, as users run it (Node flags as README's "Running a fleet" recommends): an
 * edit rewrites its 1,000-route gateway.yaml, and the time runs from the write through the watch
 * debounce and the recompile to the last client's ACK. The peer gets the same route table built
 * plainly (test/support/snapshots.ts), as a hand-written go-control-plane server would send it,
 * from a command on its stdin. Both servers are measured the same way, from /proc: CPU for
 * connect + edits, peak and idle RSS. Prints figures; never fails on timing.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../src/envoy/type-urls.ts";
import { typeVersion } from "../src/server/snapshot-cache.ts";
import type { Snapshot } from "../src/xds/snapshot.ts";
import { gatewaySnapshot, manyRoutes } from "../test/support/snapshots.ts";
import { firstLine, startGoPeer } from "./support/go-peer.ts";
import { ms, printTable } from "./support/percentiles.ts";

const COUNTS = [100, 1000];
const ROUTES = 1000;
const EDITS = 20;
const clusters = [{ name: "svc", port: 9 }];

/** The path of route `index` after `edit` one-route edits: route k renamed /r{k} → /e{k} for k < edit. */
const pathAfter = (edit: number, index: number) => (index < edit ? `/e${index}` : `/r${index}`);

/**
 * The plain route table after `edit` edits, as the peer serves it: the same routes as ours — the
 * same prefixes under the API's version and base path (/v1/bench/r{k}), to the same cluster — with
 * nothing else (no names, metadata or guard routes).
 */
function snapshotAfter(edit: number): Snapshot {
  const routes = manyRoutes(ROUTES, "svc").map((route, index) => ({ ...route, path: `/v1/bench${pathAfter(edit, index)}`, prefix: true }));
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

function procStats(pid: number): ProcStats {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks of 10 ms
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuMs: ticks * 10, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

/** A server under test: where clients connect, and how an edit reaches it. */
interface Server {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** Gets the config after `edit` one-route edits to node.cluster = gateway ready (untimed); resolves to its routes version. */
  prepare(gateway: string, edit: number): Promise<string>;
  /** Hands the prepared config to the server: the timed part. */
  publish(gateway: string, edit: number): void;
  close(): Promise<void>;
}

const routesVersion = (snapshot: Snapshot) => typeVersion(snapshot, ROUTE_CONFIGURATION_TYPE_URL);
const GATEWAYS = COUNTS.map((count) => `peers-${count}`);
const main = join(import.meta.dirname, "..", "dist", "src", "cli", "main.js");
/** As README's "Running a fleet" recommends for serve. */
const SERVE_NODE_OPTIONS = ["--max-semi-space-size=4"];

async function portcullis(): Promise<Server> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "peers-yaml-"));
  const file = (gateway: string) => join(dir, `${gateway}.yaml`);
  for (const gateway of GATEWAYS) writeFileSync(file(gateway), yamlAfter(gateway, 0));
  const child = spawn(process.execPath, [...SERVE_NODE_OPTIONS, main, "serve", ...GATEWAYS.map(file), "--watch", "--xds-port", "0", "--admin-port", "0", "--log-format", "json"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await firstLine(child, (line) => (line.includes('"control plane ready"') ? Number(String(JSON.parse(line).xds).split(":").pop()) : undefined));
  const { compileGatewayFile } = await import("../src/compile.ts");
  const pending = new Map<string, string>();
  return {
    name: "Portcullis",
    pid: child.pid!,
    port,
    async prepare(gateway, edit) {
      // The same compile serve makes, here only for the version clients will ACK (compiles are deterministic).
      const yaml = yamlAfter(gateway, edit);
      const scratch = join(dir, "expected", `${gateway}.yaml`);
      mkdirSync(join(dir, "expected"), { recursive: true });
      writeFileSync(scratch, yaml);
      const compiled = await compileGatewayFile(scratch);
      if (!compiled.snapshot) throw new Error(compiled.diagnostics.map((d) => d.message).join("\n"));
      pending.set(gateway, yaml);
      return routesVersion(compiled.snapshot);
    },
    publish(gateway, edit) {
      if (edit > 0) writeFileSync(file(gateway), pending.get(gateway)!);
    },
    async close() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function goControlPlane(): Promise<Server> {
  const { child, port } = await startGoPeer("go-control-plane");
  const files = mkdtempSync(join(tmpdir(), "peer-"));
  const pending = new Map<string, string>();
  let written = 0;
  return {
    name: "go-control-plane",
    pid: child.pid!,
    port,
    async prepare(gateway, edit) {
      const snapshot = snapshotAfter(edit);
      const dir = join(files, String(written++));
      mkdirSync(dir);
      for (const [typeUrl, file] of [[LISTENER_TYPE_URL, "listener"], [ROUTE_CONFIGURATION_TYPE_URL, "route"], [CLUSTER_TYPE_URL, "cluster"], [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, "endpoint"]] as const) {
        const [resource] = snapshot.resources.get(typeUrl)!.values();
        writeFileSync(join(dir, `${file}.pb`), resource!.bytes);
      }
      const version = routesVersion(snapshot);
      pending.set(gateway, `snapshot ${gateway} ${version} ${dir}\n`);
      return version;
    },
    publish(gateway) {
      child.stdin!.write(pending.get(gateway)!);
    },
    async close() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(files, { recursive: true, force: true });
    },
  };
}

/** The simulated clients, and a wait for `count` of them to ACK a routes version. */
function startClients(port: number, count: number, gateway: string) {
  const child = spawn(join(process.cwd(), "node_modules/.bin/node"), ["bench/support/ads-clients.ts", String(port), String(count), gateway], { stdio: ["pipe", "pipe", "inherit"] });
  const waiting = new Map<string, () => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [word, version = ""] = line.split(" ");
    if (word === "acked") waiting.get(version)?.();
  });
  return {
    allAcked: (version: string) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 120_000);
        waiting.set(version, () => {
          clearTimeout(timer);
          resolve(true);
        });
        child.stdin!.write(`expect ${version} ${count}\n`);
      }),
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
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
  const initial = await server.prepare(gateway, 0);
  server.publish(gateway, 0);
  const before = procStats(server.pid);
  const clients = startClients(server.port, count, gateway);
  const editTimes: number[] = [];
  try {
    if (!(await clients.allAcked(initial))) throw new Error(`${server.name}: initial sync of ${count} clients timed out`);
    for (let edit = 1; edit <= EDITS; edit++) {
      const version = await server.prepare(gateway, edit);
      const start = performance.now();
      server.publish(gateway, edit);
      if (!(await clients.allAcked(version))) throw new Error(`${server.name}: edit at N = ${count} timed out`);
      editTimes.push(performance.now() - start);
    }
  } finally {
    await clients.stop();
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

const GRPC_SERVER = 'import * as grpc from "@grpc/grpc-js"; const server = new grpc.Server(); server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), () => console.log("ready"));';
/**
 * What an idle process holds at each layer under ours, with the same flags: Node alone; Node with an
 * empty @grpc/grpc-js server on loopback (the floor under an xDS server in Node); and that with the
 * built `serve` command loaded (the compiler, the control plane, the Envoy schemas) but no config.
 */
const FLOOR_SCRIPTS = {
  bare: 'console.log("ready"); setInterval(() => {}, 1000);',
  grpc: GRPC_SERVER,
  compiler: `await import(${JSON.stringify(join(import.meta.dirname, "..", "dist", "src", "cli", "serve.js"))}); ${GRPC_SERVER}`,
};

async function floorRssMb(script: string): Promise<number> {
  const child = spawn(process.execPath, [...SERVE_NODE_OPTIONS, "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await firstLine(child, (line) => (line === "ready" ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const rss = procStats(child.pid!).rssMb;
  child.kill("SIGKILL");
  return rss;
}
const floors = { bare: await floorRssMb(FLOOR_SCRIPTS.bare), grpc: await floorRssMb(FLOOR_SCRIPTS.grpc), compiler: await floorRssMb(FLOOR_SCRIPTS.compiler) };

const routeConfigBytes = (snapshot: Snapshot) => [...snapshot.resources.get(ROUTE_CONFIGURATION_TYPE_URL)!.values()].reduce((sum, resource) => sum + resource.bytes.length, 0);
const yamlFile = join(mkdtempSync(join(tmpdir(), "peers-bytes-")), "gateway.yaml");
writeFileSync(yamlFile, yamlAfter("bytes", 0));
const { compileGatewayFile } = await import("../src/compile.ts");
const compiledBytes = routeConfigBytes((await compileGatewayFile(yamlFile)).snapshot!);
const plainBytes = routeConfigBytes(snapshotAfter(0));
const rows: string[][] = [];
const mb = (value: number) => `${value.toFixed(0)} MB`;
for (const [count, [a, b]] of results) {
  const large = count === 1000;
  const row = (label: string, mine: number, theirs: number, format: (value: number) => string, target = "") => [`N = ${count}`, label, format(mine), format(theirs), (mine / theirs).toFixed(2), target];
  rows.push(row(`edit → last client ACKed, median of ${EDITS} (ours from the file write: watch, recompile, push)`, a.editMs, b.editMs, ms, large ? "ratio ≤ 0.67" : ""));
  rows.push(row(`server CPU, connect + ${EDITS} edits`, a.cpuMs, b.cpuMs, ms));
  rows.push(row("peak RSS (process lifetime)", a.peakRssMb, b.peakRssMb, mb, large ? "≤ 200 MB" : ""));
  rows.push(row("idle RSS before any client", a.idleRssMb, b.idleRssMb, mb, large ? "≤ 80 MB" : ""));
}
rows.push(["—", "idle RSS of Node alone / with an empty @grpc/grpc-js server (the runtime's floor) / and the built serve loaded, no config (same flags)", `${mb(floors.bare)} / ${mb(floors.grpc)} / ${mb(floors.compiler)}`, "", "", ""]);
rows.push(["—", "RouteConfiguration bytes, 1,000 prefix routes (the same paths and cluster; ours compiled, the peer's plain)", String(compiledBytes), String(plainBytes), (compiledBytes / plainBytes).toFixed(2), "ratio ≤ 1.5"]);
printTable(
  `Peers: ${ROUTES} prefix routes, N simulated SotW ADS clients (separate process), ${EDITS} one-route edits`,
  ["N", "figure", "Portcullis", "go-control-plane", "ratio", "target"],
  rows,
);
