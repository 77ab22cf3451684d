/**
 * A fleet: three `serve --watch` replicas on one config, and two real Envoys (one state-of-the-world,
 * one delta) whose bootstrap lists every replica. Under a steady load through both Envoys, the
 * replica an Envoy is connected to is killed with SIGKILL: the Envoy reconnects to another replica,
 * nothing it holds changes (same versions, no listener or cluster added, modified or removed), and
 * no request fails. A config edit made after the failover reaches both Envoys, and a killed replica
 * restarted on the edited config computes the same version as the survivors.
 *
 * As in a real fleet, each replica has an address and a certificate of its own (127.0.0.1, .2, .3,
 * each certificate naming its address) and requires mTLS: the Envoys, whose bootstrap names all
 * three addresses, must accept any of them, and each may fetch only its own gateway.
 *
 * Two Envoys on one host cannot bind one listener port, so the config is two small gateway files
 * (one per Envoy, each naming its port) that import the module holding the routes: that module is
 * the file every replica watches and the edit changes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { runCommand } from "../support/cli-process.ts";
import { backgroundLoad, eventually, get } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

const REPLICAS = 3;
const WAIT_MS = 45_000;

interface Replica {
  readonly name: string;
  /** The loopback address its xDS port binds to, which its certificate names. */
  readonly host: string;
  readonly xdsPort: number;
  readonly adminPort: number;
  serve?: ServeProcess;
  /** Killed by the test and not restarted (yet). */
  killed: boolean;
}

interface Edge {
  /** The gateway name, which is also the Envoy's node id. */
  readonly gateway: string;
  readonly delta: boolean;
  readonly listenerPort: number;
  envoy?: RunningEnvoy;
  failedOver: boolean;
}

interface NodeEntry {
  nodeId: string;
  connected: boolean;
  acked: Record<string, string>;
}
interface ReplicaStatus {
  gateways: { gateway: string | null; version: string | null; upToDate: boolean }[];
  nodes: NodeEntry[];
}

let dir: string;
let pki: TestPki;
let backend: TestBackend;
let replicas: Replica[];
let edges: Edge[];

/** The routes both gateways serve: the module every replica watches. */
function fleetModule(paths: readonly string[]): string {
  return `export function gateway(name, port) {
  return {
    gateway: { name, listeners: [{ name: "local", address: "127.0.0.1", port, hostnames: ["127.0.0.1"] }] },
    // No audit store: its receiver is one loopback port per host, which three replicas on one host would share.
    audit: { store: false },
    providers: { shop: { type: "service", endpoints: ["127.0.0.1:${backend.port}"], plaintext: { reason: "test backend on loopback" } } },
    apis: [{
      name: "shop", owner: "platform", description: "The fleet failover test's API.", basePath: "/shop",
      versions: { v1: {
        state: "published",
        access: { public: { reason: "a public API for the fleet failover test" } },
        routes: ${JSON.stringify(paths.map((path) => ({ match: { path: `/${path}`, methods: ["GET"] }, provider: "shop" })))},
      } },
    }],
  };
}
`;
}

const configFiles = () => edges.map((edge) => join(dir, `${edge.gateway}.config.mjs`));

const spiffeId = (edge: Edge) => `spiffe://fleet.test/${edge.gateway}`;

async function startReplica(replica: Replica): Promise<void> {
  const { certFile, keyFile } = pki.issue(replica.name, [`IP:${replica.host}`]);
  const mtls = ["--host", replica.host, "--tls-cert", certFile, "--tls-key", keyFile, "--client-ca", pki.caFile, ...edges.flatMap((edge) => ["--allow-spiffe", `${spiffeId(edge)}=${edge.gateway}`])];
  replica.serve = await startServe(configFiles()[0]!, { xdsPort: replica.xdsPort, adminPort: replica.adminPort, watch: true, extraArgs: [...configFiles().slice(1), ...mtls] });
  replica.killed = false;
}

async function status(replica: Replica): Promise<ReplicaStatus | undefined> {
  const response = replica.killed ? undefined : await replica.serve?.admin("/status");
  return response?.ok ? ((await response.json()) as ReplicaStatus) : undefined;
}

/** The live replica holding the Envoy's ADS stream (by name), and what the Envoy ACKed there. */
async function connection(edge: Edge): Promise<{ replica: string; acked: Record<string, string> } | undefined> {
  for (const replica of replicas) {
    const node = (await status(replica))?.nodes.find((entry) => entry.nodeId === edge.gateway && entry.connected);
    if (node) return { replica: replica.name, acked: node.acked };
  }
  return undefined;
}

/**
 * Whether the versions an Envoy ACKed on its new replica are those it held. State-of-the-world
 * sends every type again (same versions, ACKed); delta sends only what the Envoy does not have
 * (its initial_resource_versions say what it has), so with nothing changed it ACKs nothing.
 */
function sameVersions(edge: Edge, was: Record<string, string>, now: Record<string, string>): boolean {
  const unchanged = Object.entries(now).every(([type, version]) => was[type] === version);
  return unchanged && (edge.delta || Object.keys(now).length === Object.keys(was).length);
}

/** Every `version_info` in the Envoy's config dump (listeners, clusters, routes, endpoints), by where it is. */
async function envoyVersions(edge: Edge): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}[${(item as { name?: string })?.name ?? i}]`);
    } else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (key === "version_info" && typeof child === "string") versions[path] = child;
        else walk(child, `${path}.${key}`);
      }
    }
  };
  walk(JSON.parse(await edge.envoy!.admin("/config_dump?include_eds")), "");
  return versions;
}

/** Counters that move when Envoy adds, replaces or removes a listener or cluster: the churn a failover must not cause. */
async function churn(edge: Edge): Promise<string> {
  return edge.envoy!.admin("/stats?filter=^(listener_manager\\.listener|cluster_manager\\.cluster)_(added|modified|removed)$");
}

async function gatewayVersions(): Promise<string[]> {
  const live = replicas.filter((replica) => !replica.killed);
  const statuses = await Promise.all(live.map(status));
  return statuses.flatMap((s) => s!.gateways.map((g) => `${g.gateway}@${g.version}${g.upToDate ? "" : " (stale)"}`)).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-fleet-"));
  pki = createTestPki();
  backend = await startBackend("shop");
  const ports = await freePorts(REPLICAS * 2 + 2);
  replicas = Array.from({ length: REPLICAS }, (_, i) => ({ name: `replica-${i + 1}`, host: `127.0.0.${i + 1}`, xdsPort: ports[2 * i]!, adminPort: ports[2 * i + 1]!, killed: true }));
  edges = [
    { gateway: "edge-a", delta: false, listenerPort: ports[REPLICAS * 2]!, failedOver: false },
    { gateway: "edge-b", delta: true, listenerPort: ports[REPLICAS * 2 + 1]!, failedOver: false },
  ];
  await writeFile(join(dir, "fleet.mjs"), fleetModule(["stable"]));
  for (const edge of edges) {
    await writeFile(join(dir, `${edge.gateway}.config.mjs`), `import { gateway } from "./fleet.mjs";\nexport default gateway(${JSON.stringify(edge.gateway)}, ${edge.listenerPort});\n`);
  }
  // One after another: each replica's first compiles (two configs, each evaluated in a child
  // process) get the machine to themselves, well within serve's readiness wait.
  for (const replica of replicas) await startReplica(replica);
  for (const edge of edges) {
    // The bootstrap a user makes: one --xds per replica, and the proxy's client certificate.
    const xds = replicas.flatMap((replica) => ["--xds", `${replica.host}:${replica.xdsPort}`]);
    const client = pki.issue(edge.gateway, [`URI:${spiffeId(edge)}`]);
    const tls = ["--tls-cert", client.certFile, "--tls-key", client.keyFile, "--ca", pki.caFile];
    const args = ["src/cli/main.ts", "bootstrap", "--node-id", edge.gateway, "--cluster", edge.gateway, ...xds, ...tls, ...(edge.delta ? [] : ["--sotw"])];
    const bootstrap = await runCommand(join(process.cwd(), "node_modules/.bin/node"), args, { cwd: process.cwd(), timeoutMs: 30_000 });
    expect(bootstrap).toMatchObject({ code: 0 });
    edge.envoy = await startEnvoy({ bootstrap: JSON.parse(bootstrap.stdout) as Record<string, unknown> });
    await eventually(() => get(edge.listenerPort, "/v1/shop/stable"), (r) => r.status === 200, `${edge.gateway} to serve the first config`, WAIT_MS);
  }
}, 180_000);

afterAll(async () => {
  await stopAllEnvoys();
  for (const replica of replicas ?? []) if (replica.serve?.child.exitCode === null) replica.serve.child.kill("SIGKILL");
  await backend?.close();
  pki?.remove();
  await rm(dir, { recursive: true, force: true });
});

it("every replica serves byte-identical snapshots: the same version of each gateway", async () => {
  const versions = await gatewayVersions();
  expect(versions).toHaveLength(REPLICAS * edges.length);
  expect(new Set(versions).size).toBe(edges.length);
  expect(versions.every((v) => !v.includes("stale") && !v.endsWith("@null"))).toBe(true);
});

it("an Envoy whose replica is killed reconnects to another with no change and no failed request; a later edit reaches both", { timeout: 300_000 }, async () => {
  const loads = edges.map((edge) => backgroundLoad(edge.listenerPort, "/v1/shop/stable"));
  try {
    // Kill the replica of an Envoy that has not failed over yet, until both have (at most two kills of three).
    for (const target of edges) {
      if (target.failedOver) continue;
      const targetConnection = (await eventually(() => connection(target), Boolean, `${target.gateway} to be connected`, WAIT_MS))!;
      const name = targetConnection.replica;
      const replica = replicas.find((r) => r.name === name)!;
      const before = new Map<Edge, { acked: Record<string, string>; versions: Record<string, string>; churn: string }>();
      for (const edge of edges) {
        const current = edge === target ? targetConnection : await connection(edge);
        if (current?.replica === name) before.set(edge, { acked: current.acked, versions: await envoyVersions(edge), churn: await churn(edge) });
      }
      replica.serve!.child.kill("SIGKILL");
      expect(await replica.serve!.exited).toBeNull();
      replica.killed = true;

      for (const [edge, was] of before) {
        // Reconnected elsewhere, and the versions it ACKed there are the ones it held.
        const now = (await eventually(() => connection(edge), (c) => c !== undefined && sameVersions(edge, was.acked, c.acked), `${edge.gateway} to reconnect to another replica with the same versions`, WAIT_MS))!;
        expect(now.replica).not.toBe(name);
        // What is compared is really there: four types ACKed, listener and cluster versions, the counters.
        expect(Object.keys(was.acked).length).toBeGreaterThanOrEqual(4);
        expect(Object.keys(was.versions).length).toBeGreaterThanOrEqual(3);
        expect(was.churn).toContain("listener_manager.listener_added: 1");
        expect(await envoyVersions(edge)).toEqual(was.versions);
        expect(await churn(edge)).toBe(was.churn);
        edge.failedOver = true;
      }
    }
    expect(edges.every((edge) => edge.failedOver)).toBe(true);

    // An edit of the module every replica watches reaches both Envoys through the survivors.
    const oldVersions = await gatewayVersions();
    await writeFile(join(dir, "fleet.mjs"), fleetModule(["stable", "added"]));
    for (const edge of edges) {
      await eventually(() => get(edge.listenerPort, "/v1/shop/added"), (r) => r.status === 200, `the edit to reach ${edge.gateway}`, WAIT_MS);
    }
    const newVersions = await eventually(gatewayVersions, (v) => v.every((line) => !line.includes("stale")) && v.every((line) => !oldVersions.includes(line)), "the survivors to serve the edit");
    expect(new Set(newVersions).size).toBe(edges.length);
  } finally {
    const results = await Promise.all(loads.map((load) => load.stop()));
    for (const { sent, failures } of results) {
      expect(failures).toEqual([]);
      expect(sent).toBeGreaterThan(10);
    }
  }

  // A killed replica restarted on the edited config computes exactly the survivors' versions.
  const survivors = new Set(await gatewayVersions());
  for (const replica of replicas.filter((r) => r.killed)) await startReplica(replica);
  expect(new Set(await gatewayVersions())).toEqual(survivors);
});
