/**
 * The rate-limit service as users run it: `portcullis serve` runs it for its gateways (here
 * counting in Redis), and `portcullis ratelimit-service` replicas on one Redis count together
 * for Envoys that each ask a different replica.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Route } from "../../src/config/types.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { type RunningCommand, startCommand } from "../support/cli-process.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { eventually } from "../support/http-load.ts";
import { freePort, freePorts } from "../support/ports.ts";
import { type RunningRedis, startRedis } from "../support/redis.ts";
import { type ServeProcess, startServe } from "../support/serve-process.ts";
import { KEYS, limitedGatewayConfig, limitedGatewayFiles, PUBLIC, send, startLimitedEnvoy, statuses } from "./limited-gateway.ts";

const ROUTES: Route[] = [
  { name: "limited", match: { path: "/limited" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 2, per: "hour", mode: "global" } },
  { name: "once", match: { path: "/once" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 1, per: "hour", mode: "global" } },
  { name: "open", match: { path: "/open" }, provider: "orders", access: PUBLIC },
];
const ENV = { ACME_KEYS: KEYS.acme, GLOBEX_KEYS: KEYS.globex, INITECH_KEYS: KEYS.initech };

let redis: RunningRedis;
let backend: TestBackend;
let serve: ServeProcess | undefined;
const services: RunningCommand[] = [];
const files = limitedGatewayFiles();

beforeAll(async () => {
  [redis, backend] = await Promise.all([startRedis(), startBackend("orders")]);
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  if (serve?.child.exitCode === null) serve.child.kill("SIGKILL");
  await Promise.all(services.map((service) => service.stop("SIGTERM")));
  await Promise.all([redis?.stop(), backend?.close()]);
  files.remove();
});

describe("rate-limit service processes", () => {
  it("serve runs the service its config names, counting in the Redis an environment variable names, and Envoy fed over ADS is limited by it", async () => {
    const [listener, service, xdsPort, adminPort] = await freePorts(4);
    const config = join(files.dir, "serve.yaml");
    writeFileSync(config, JSON.stringify(limitedGatewayConfig({ port: listener!, backendPort: backend.port, routes: ROUTES, rateLimitService: `127.0.0.1:${service}` })));
    serve = await startServe(config, { xdsPort: xdsPort!, adminPort: adminPort!, extraArgs: ["--ratelimit-redis", "env:RATELIMIT_REDIS_URL"], env: { ...ENV, RATELIMIT_REDIS_URL: redis.url } });
    await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "limited-edge", cluster: "limited", xdsPort: xdsPort! }) as Record<string, unknown> });
    await eventually(() => send(listener!, "/v1/orders/open").catch(() => ({ status: 0 })), (answer) => answer.status === 200, "Envoy serves the config");
    expect(await statuses(3, () => send(listener!, "/v1/orders/limited"))).toEqual([200, 200, 429]);
    expect(serve.output()).toContain('"rate-limit service ready"');
    expect(serve.output()).not.toContain(redis.url.replace("redis://", ""));
  }, 60_000);

  it("two ratelimit-service replicas on one Redis count together for the Envoys that ask them", async () => {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const service = startCommand("node_modules/.bin/node", ["src/cli/main.ts", "ratelimit-service", "--port", String(port), "--redis", redis.url, "--log-format", "json"], { cwd: process.cwd(), env: process.env });
      services.push(service);
      await service.waitFor(/rate-limit service ready/, 15_000);
    }
    const listeners = [await freePort(), await freePort()];
    for (const [index, port] of listeners.entries()) {
      await startLimitedEnvoy(limitedGatewayConfig({ port, backendPort: backend.port, routes: ROUTES, rateLimitService: `127.0.0.1:${ports[index]}` }), files);
    }
    expect((await send(listeners[0]!, "/v2/orders/once")).status).toBe(200);
    const refused = await send(listeners[1]!, "/v2/orders/once");
    expect(refused.status).toBe(429);
    expect(refused.headers["ratelimit-policy"]).toBe('"orders.v2.once";q=1;w=3600');
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
  }, 60_000);
});
