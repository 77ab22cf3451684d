/**
 * `portcullis serve --watch` as a real process with a real Envoy: edits reach Envoy without a
 * restart, a broken edit keeps the last good config serving and shows on /status, and SIGTERM
 * shuts down cleanly.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

let dir: string;
let backend: TestBackend;
let serve: ServeProcess;
let xdsPort: number, adminPort: number, listenerPort: number;
const configFile = () => join(dir, "gateway.yaml");

function config(routes: string, provider = "demo"): string {
  return `gateway:
  name: served
  listeners:
    - name: local
      address: 127.0.0.1
      port: ${listenerPort}
      hostnames: ["127.0.0.1"]
providers:
  demo:
    type: service
    endpoints: ["127.0.0.1:${backend.port}"]
    plaintext:
      reason: test backend on loopback
apis:
  - name: hello
    owner: platform
    basePath: /hello
    versions:
      v1:
        state: published
        access:
          public:
            reason: a public API for the hot reload test
        routes:
${routes
  .split(",")
  .map((path) => `          - match: { path: /${path}, methods: [GET] }\n            provider: ${provider}`)
  .join("\n")}
`;
}

async function status(path: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${listenerPort}${path}`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}\n--- serve output ---\n${serve.output()}`);
}

interface StatusBody {
  gateways: { gateway: string | null; version: string | null; upToDate: boolean; diagnostics: { code: string; location?: { line: number } }[] }[];
}
const adminJson = async (): Promise<StatusBody> => (await (await fetch(`http://127.0.0.1:${adminPort}/status`)).json()) as StatusBody;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-serve-"));
  backend = await startBackend("demo");
  [xdsPort, adminPort, listenerPort] = (await freePorts(3)) as [number, number, number];
  await writeFile(configFile(), config("one"));
  serve = await startServe(configFile(), { xdsPort, adminPort, watch: true });
});

afterAll(async () => {
  await stopAllEnvoys();
  if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

it("hot-reloads edits into a running Envoy and keeps the last good config on a broken edit", async () => {
  await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "edge", cluster: "served", xdsPort }) as Record<string, unknown> });
  await until(async () => (await status("/v1/hello/one")) === 200, "the first route");
  expect(await status("/v1/hello/two")).toBe(404);

  await writeFile(configFile(), config("one,two"));
  await until(async () => (await status("/v1/hello/two")) === 200, "the added route");
  const good = (await adminJson()).gateways[0]!;
  expect(good).toMatchObject({ gateway: "served", upToDate: true });

  await writeFile(configFile(), config("one,two,three", "no-such-provider"));
  await until(async () => (await adminJson()).gateways[0]!.upToDate === false, "the broken edit to show on /status");
  const broken = (await adminJson()).gateways[0]!;
  expect(broken.version).toBe(good.version);
  expect(broken.diagnostics.length).toBeGreaterThan(0);
  expect(broken.diagnostics.some((d) => (d.location?.line ?? 0) > 0)).toBe(true);
  expect(await status("/v1/hello/two")).toBe(200);
  expect((await fetch(`http://127.0.0.1:${adminPort}/metrics`).then((r) => r.text()))).toMatch(/portcullis_compile_errors\{file="[^"]+"\} [1-9]/);

  await writeFile(configFile(), config("one,two,three"));
  await until(async () => (await status("/v1/hello/three")) === 200, "the fixed edit");
  expect((await adminJson()).gateways[0]!.upToDate).toBe(true);
});

it("shuts down cleanly on SIGTERM", async () => {
  serve.child.kill("SIGTERM");
  expect(await serve.exited).toBe(0);
  expect(serve.output()).toContain('"msg":"shutting down"');
});
