/**
 * `portcullis audit-receiver` on its own (a fleet's receiver) beside a real Envoy: records arrive
 * (a rate-limited request says so);
 * when the receiver stops, Envoy keeps serving every request and counts the log entries it could
 * not send; audit.retention decides what the store deletes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { queryRequests } from "../../src/audit/query.ts";
import { AuditStore, openAuditDatabase } from "../../src/audit/store.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startCommand, type RunningCommand } from "../support/cli-process.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { eventually, get } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-audit-down-"));
const configFile = join(dir, "gateway.yaml");
const storeFile = join(dir, "records.db");
let listenerPort = 0;
let backend: TestBackend;
let envoy: RunningEnvoy;
let receiver: RunningCommand | undefined;
let ir: GatewayIR;

const records = () => {
  const db = openAuditDatabase(storeFile, { readonly: true });
  try {
    return queryRequests(db, { limit: 10_000 });
  } finally {
    db.close();
  }
};
const count = () => records().length;

/** One of Envoy's counters, e.g. `access_logs.grpc_access_log.logs_written`. */
async function counter(name: string): Promise<number> {
  const stats = await envoy.admin(`/stats?filter=^${name.replaceAll(".", "\\.")}$`);
  return Number(/: (\d+)/.exec(stats)?.[1] ?? 0);
}

beforeAll(async () => {
  backend = await startBackend("app");
  let receiverPort: number;
  [listenerPort, receiverPort] = (await freePorts(2)) as [number, number];
  const config: GatewayConfig = {
    gateway: { name: "fleet", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["*"] }] },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [{ name: "app", owner: "test", basePath: "/app", versions: { v1: { state: "published", access: { public: { reason: "the audit receiver test gateway" } }, routes: [{ name: "once", match: { path: "/once" }, provider: "app", rateLimit: { requests: 1, per: "minute", by: "global" } }, { name: "all", match: { prefix: "/" }, provider: "app" }] } } }],
    audit: { store: "records.db", retention: "1h", receiver: `127.0.0.1:${receiverPort}` },
  };
  writeFileSync(configFile, stringify(config));
  receiver = startCommand("node_modules/.bin/node", ["src/cli/main.ts", "audit-receiver", configFile, "--log-format", "json"], { cwd: process.cwd() });
  await receiver.waitFor(/audit receiver ready/, 30_000);
  const started = await startCompiledEnvoy(config, { file: configFile });
  envoy = started.envoy;
  ir = started.ir;
}, 60_000);

afterAll(async () => {
  await receiver?.stop();
  await stopAllEnvoys();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a fleet's audit receiver", () => {
  it("stores what Envoy sends it, a rate-limited request with its decision", async () => {
    for (let i = 0; i < 3; i++) expect((await get(listenerPort, "/v1/app/items")).status).toBe(200);
    expect((await get(listenerPort, "/v1/app/once")).status).toBe(200);
    expect((await get(listenerPort, "/v1/app/once")).status).toBe(429);
    await eventually(async () => count(), (n) => n === 5, "five records");
    const limited = records().filter((record) => record.status === 429);
    expect(limited).toEqual([expect.objectContaining({ path: "/v1/app/once", decision: "rate_limited", reason: "local_rate_limited", api: "app", version: "v1" })]);
    expect(await counter("access_logs.grpc_access_log.logs_written")).toBeGreaterThanOrEqual(5);
  });

  it("when it is down, Envoy keeps serving every request and counts the sends that fail", async () => {
    expect(await receiver!.stop("SIGTERM")).toBe(0);
    receiver = undefined;
    // A batch sent to a receiver that is gone is lost: the audit cluster's failed connections count them.
    const failed = "cluster.portcullis_audit.upstream_cx_connect_fail";
    const before = await counter(failed);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 20; i++) expect((await get(listenerPort, `/v1/app/down-${round}-${i}`)).status).toBe(200);
      // Envoy flushes once a second: each flush to the missing receiver fails and drops its batch.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await eventually(() => counter(failed), (count) => count > before, "Envoy counting failed sends to the receiver");
    expect(count()).toBe(5);
  });

  it("deletes records older than audit.retention", () => {
    expect(ir.accessLog.store?.retentionMs).toBe(3_600_000);
    const inTheFuture = (ms: number) => new AuditStore(storeFile, { retentionMs: ir.accessLog.store!.retentionMs, now: () => Date.now() + ms });
    // Opening a store prunes at once, then every ten minutes.
    inTheFuture(30 * 60_000).close();
    expect(count()).toBe(5);
    inTheFuture(2 * 3_600_000).close();
    expect(count()).toBe(0);
  });
});
