/**
 * An access grant stops working at its expiry instant with no config edit: `serve` (without
 * --watch) and `up` (with --no-watch) recompile the config when the grant expires and push it to a
 * real Envoy, which then refuses the consumer it admitted a moment before.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { type RunningCommand, startCommand } from "../support/cli-process.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";
import { grant, grantsConfig } from "../grants/grants-config.ts";

const KEYS = { ACME_KEYS: "acme-7f3c9a1e5b2d4c6e8a0b1c2d3e4f5a6b", GLOBEX_KEYS: "globex-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", INITECH_KEYS: "initech-9f8e7d6c5b4a39281706f5e4d3c2b1a0" };

async function status(listenerPort: number, key: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${listenerPort}/v2/orders`, { headers: { "x-api-key": key }, signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function until(check: () => Promise<boolean>, what: string, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}\n--- output ---\n${output()}`);
}

/** A config in a temp dir whose one grant (acme on orders v2) expires 20 s from now, long enough for the gateway to start and serve it first. */
async function expiringGrantConfig(listenerPort: number, backendPort: number): Promise<{ dir: string; expiresAt: number }> {
  const dir = await mkdtemp(join(tmpdir(), "portcullis-grant-expiry-"));
  const expiresAt = Math.ceil((Date.now() + 20_000) / 1000) * 1000;
  const grants = grant({ to: "{ consumer: acme }", api: "orders", version: "v2", requester: "jane@acme.example", approver: "sam@shop.example", reason: '"pilot access for the expiry test"', expires: new Date(expiresAt).toISOString() });
  await writeFile(join(dir, "gateway.yaml"), grantsConfig({ listenerPort, backendPort, grants, withoutStaff: true }));
  return { dir, expiresAt };
}

/** The granted consumer is admitted until the instant, then refused; one without a grant is refused all along. */
async function expectRefusedAtExpiry(listenerPort: number, expiresAt: number, output: () => string, backend: TestBackend, beforeExpiry?: () => Promise<void>): Promise<void> {
  await until(async () => (await status(listenerPort, KEYS.ACME_KEYS)) === 200, "the granted consumer to be admitted", output);
  expect(Date.now()).toBeLessThan(expiresAt);
  expect(await status(listenerPort, KEYS.INITECH_KEYS)).toBe(403);
  await beforeExpiry?.();
  await until(async () => (await status(listenerPort, KEYS.ACME_KEYS)) === 403, "the grant to expire", output);
  expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
  expect(backend.received.every((request) => request.headers["x-api-key"] === undefined)).toBe(true);
}

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend("orders");
});
afterAll(async () => {
  await backend?.close();
});

describe("serve", () => {
  let dir: string;
  let serve: ServeProcess;
  let listenerPort: number;
  let expiresAt: number;

  beforeAll(async () => {
    const [xdsPort, adminPort, port] = (await freePorts(3)) as [number, number, number];
    listenerPort = port;
    ({ dir, expiresAt } = await expiringGrantConfig(listenerPort, backend.port));
    serve = await startServe(join(dir, "gateway.yaml"), { xdsPort, adminPort, env: KEYS });
    await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "edge", cluster: "granted", xdsPort }) as Record<string, unknown> });
  }, 60_000);

  afterAll(async () => {
    await stopAllEnvoys();
    if (serve && serve.child.exitCode === null) serve.child.kill("SIGKILL");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("admits the granted consumer until the expiry instant, then refuses it, even when the file was broken meanwhile", async () => {
    // An edit that does not compile (serve runs without --watch, so it is read at the expiry): the
    // last good snapshot holds the grant, so serving it would fail open.
    const breakTheFile = () => writeFile(join(dir, "gateway.yaml"), "gateway:\n  name: granted\n  listeners: [\n");
    await expectRefusedAtExpiry(listenerPort, expiresAt, serve.output, backend, breakTheFile);
    expect(serve.output()).toContain("an access grant expires; recompiling");
    expect(serve.output()).toContain("serving the last good config without the expired grant");
  }, 60_000);
});

describe("up", () => {
  let dir: string;
  let up: RunningCommand;
  let listenerPort: number;
  let expiresAt: number;

  beforeAll(async () => {
    const [envoyAdminPort, port] = (await freePorts(2)) as [number, number];
    listenerPort = port;
    ({ dir, expiresAt } = await expiringGrantConfig(listenerPort, backend.port));
    up = startCommand(join(process.cwd(), "node_modules/.bin/node"), ["src/cli/main.ts", "up", dir, "--no-watch", "--envoy-admin-port", String(envoyAdminPort)], { cwd: process.cwd(), env: { ...process.env, ...KEYS } });
    await up.waitFor(/Portcullis is up/, 45_000);
  }, 60_000);

  afterAll(async () => {
    await up?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("admits the granted consumer until the expiry instant, then refuses it without a config edit or --watch", async () => {
    await expectRefusedAtExpiry(listenerPort, expiresAt, up.output, backend);
    expect(up.output()).toMatch(/recompiled: version \S+ pushed to Envoy/);
  }, 60_000);
});
