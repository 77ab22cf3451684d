/**
 * Chaos under load, through a real Envoy fed by a real `serve --watch` process: a steady load on
 * one route must see zero failed requests while (1) the config is hot-reloaded 100 times, each
 * reload switching the loaded route between two clusters and changing the route set, and
 * (2) the control plane is killed with SIGKILL, stays down, and is restarted.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { backgroundLoad, eventually, get } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

const RELOADS = 100;

let dir: string;
let blue: TestBackend;
let green: TestBackend;
let serve: ServeProcess | undefined;
let xdsPort: number, adminPort: number, listenerPort: number;
const configFile = () => join(dir, "gateway.yaml");

/** A gateway whose /v1/shop/stable goes to `provider` and which also serves /v1/shop/<extra>. */
function config(provider: "blue" | "green", extra: string): string {
  const service = (backend: TestBackend) => `    type: service
    endpoints: ["127.0.0.1:${backend.port}"]
    plaintext:
      reason: test backend on loopback`;
  return `gateway:
  name: chaos
  listeners:
    - name: local
      address: 127.0.0.1
      port: ${listenerPort}
      hostnames: ["127.0.0.1"]
providers:
  blue:
${service(blue)}
  green:
${service(green)}
apis:
  - name: shop
    owner: platform
    basePath: /shop
    versions:
      v1:
        state: published
        access:
          public:
            reason: a public API for the chaos test
        routes:
          - match: { path: /stable, methods: [GET] }
            provider: ${provider}
          - match: { path: /${extra}, methods: [GET] }
            provider: blue
`;
}

const serveOptions = () => ({ xdsPort, adminPort, watch: true });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-chaos-"));
  [blue, green] = await Promise.all([startBackend("blue"), startBackend("green")]);
  [xdsPort, adminPort, listenerPort] = (await freePorts(3)) as [number, number, number];
  await writeFile(configFile(), config("blue", "r0"));
  serve = await startServe(configFile(), serveOptions());
  await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "chaos-edge", cluster: "chaos", xdsPort }) as Record<string, unknown> });
  await eventually(() => get(listenerPort, "/v1/shop/stable"), (r) => r.status === 200, "the first config to be served");
});

afterAll(async () => {
  await stopAllEnvoys();
  serve?.child.kill("SIGKILL");
  await Promise.all([blue?.close(), green?.close()]);
  await rm(dir, { recursive: true, force: true });
});

it(`serves a steady load with zero failures through ${RELOADS} hot reloads that switch clusters`, async () => {
  const load = backgroundLoad(listenerPort, "/v1/shop/stable");
  try {
    for (let i = 1; i <= RELOADS; i++) {
      const provider = i % 2 === 0 ? "blue" : "green";
      await writeFile(configFile(), config(provider, `r${i}`));
      // Each reload must reach Envoy before the next: its new route answers, the old one is gone.
      await eventually(() => get(listenerPort, `/v1/shop/r${i}`), (r) => r.status === 200, `reload ${i} to be served`);
      await eventually(() => get(listenerPort, "/v1/shop/stable"), (r) => r.backend === provider, `reload ${i} to switch to ${provider}`);
    }
  } finally {
    const { sent, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(RELOADS);
  }
  expect(await get(listenerPort, `/v1/shop/r${RELOADS - 1}`)).toMatchObject({ status: 404 });
  // Both backends took part of the load: the loaded route really moved between clusters.
  expect(blue.received.length).toBeGreaterThan(0);
  expect(green.received.length).toBeGreaterThan(0);
});

it("serves with zero failures while the control plane is killed, down, and restarted", async () => {
  const load = backgroundLoad(listenerPort, "/v1/shop/stable");
  try {
    serve!.child.kill("SIGKILL");
    expect(await serve!.exited).toBeNull();
    // Down for a while: Envoy keeps its last config and keeps retrying the ADS stream.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await get(listenerPort, "/v1/shop/stable")).toMatchObject({ status: 200 });

    await writeFile(configFile(), config("blue", "after-restart"));
    serve = await startServe(configFile(), serveOptions());
    await eventually(() => get(listenerPort, "/v1/shop/after-restart"), (r) => r.status === 200, "Envoy to reconnect and take the new config", 45_000);
  } finally {
    const { sent, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(10);
  }
});
