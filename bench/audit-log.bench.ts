/**
 * What gRPC access logging to the audit store costs: the same GET through two Envoys of the same
 * config to the same backend, one with `audit.store: false` (the stdout access log only) and one
 * that also streams every request to `portcullis audit-receiver` (a process of its own, as in a
 * fleet), which writes them to SQLite. Variants interleaved over several rounds so drift hits them
 * alike; the load generator, both Envoys and the receiver share the machine's cores. Afterwards it
 * says how many records the store holds against how many requests were sent, and Envoy's counters
 * of entries written and dropped (a receiver that falls behind). Never fails on timing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { openAuditDatabase } from "../src/audit/store.ts";
import type { AuditSettings, GatewayConfig } from "../src/config/types.ts";
import { startBackend } from "../test/support/backend.ts";
import { startCommand } from "../test/support/cli-process.ts";
import { startCompiledEnvoy } from "../test/support/compiled-envoy.ts";
import { stopAllEnvoys } from "../test/support/envoy.ts";
import { freePorts } from "../test/support/ports.ts";
import { closedLoop } from "./support/closed-loop.ts";
import { percentile, printTable } from "./support/percentiles.ts";

const IN_FLIGHT = 8;
const SECONDS_PER_ROUND = Number(process.env["BENCH_SECONDS"] ?? 2);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const HOST = "bench.test";

function config(port: number, backendPort: number, audit: AuditSettings): GatewayConfig {
  return {
    gateway: { name: "audit-bench", listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: [HOST] }] },
    providers: { backend: { type: "service", endpoints: [`127.0.0.1:${backendPort}`], plaintext: { reason: "benchmark backend on loopback" } } },
    apis: [{ name: "bench", owner: "bench", basePath: "/bench", versions: { v1: { state: "published", routes: [{ name: "get", match: { path: "/get" }, provider: "backend", access: { public: { reason: "benchmark route" } } }] } } }],
    audit,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-audit-"));
  const backend = await startBackend("backend");
  const [plainPort, loggedPort, receiverPort] = (await freePorts(3)) as [number, number, number];
  const logged = config(loggedPort, backend.port, { store: "audit.db", receiver: `127.0.0.1:${receiverPort}` });
  const configFile = join(dir, "gateway.yaml");
  writeFileSync(configFile, stringify(logged));
  const receiver = startCommand("node_modules/.bin/node", ["src/cli/main.ts", "audit-receiver", configFile, "--log-format", "text"], { cwd: process.cwd(), env: process.env });
  const http = closedLoop(IN_FLIGHT, HOST);
  let sent = 0;
  let envoyCounters = "";
  try {
    await receiver.waitFor(/audit receiver ready/, 30_000);
    await startCompiledEnvoy(config(plainPort, backend.port, { store: false }), { file: configFile });
    const { envoy } = await startCompiledEnvoy(logged, { file: configFile });
    const variants = [
      { name: "stdout access log only", port: plainPort },
      { name: "+ gRPC access log to the audit store", port: loggedPort },
    ];
    const warmUp = await Promise.all(variants.map((variant) => http.load(variant.port, "/v1/bench/get", 0.5)));
    const results = new Map(variants.map((variant) => [variant.name, { count: 0, seconds: 0, latencies: [] as number[] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        const latencies = await http.load(variant.port, "/v1/bench/get", SECONDS_PER_ROUND);
        const result = results.get(variant.name)!;
        result.count += latencies.length;
        result.seconds += SECONDS_PER_ROUND;
        result.latencies.push(...latencies);
      }
    }
    const base = results.get(variants[0]!.name)!;
    const baseRate = base.count / base.seconds;
    sent = results.get(variants[1]!.name)!.count + warmUp[1]!.length;
    printTable(
      `gRPC access logging cost: GET through one Envoy, ${IN_FLIGHT} in flight, ${ROUNDS} × ${SECONDS_PER_ROUND} s per variant, interleaved`,
      ["variant", "requests/s", "vs stdout only", "p50", "p99"],
      variants.map((variant) => {
        const result = results.get(variant.name)!;
        const rate = result.count / result.seconds;
        return [variant.name, rate.toFixed(0), `${((rate / baseRate) * 100).toFixed(0)}%`, `${percentile(result.latencies, 50).toFixed(2)} ms`, `${percentile(result.latencies, 99).toFixed(2)} ms`];
      }),
    );
    // Envoy sends what it buffered within a second; then its counters say what it wrote and dropped.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    envoyCounters = (await envoy.admin("/stats?filter=^access_logs\\.grpc_access_log\\.logs_")).trim().replaceAll("\n", ", ");
  } finally {
    await stopAllEnvoys();
    await receiver.stop();
    await backend.close();
  }
  // The receiver wrote what it had queued on stop; warm-up requests are stored too.
  const db = openAuditDatabase(join(dir, "audit.db"), { readonly: true });
  const stored = (db.prepare("SELECT COUNT(*) AS n FROM requests").get() as { n: number }).n;
  db.close();
  console.log(`audit store: ${stored} records of ${sent} requests sent through the logging Envoy (${envoyCounters})`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
