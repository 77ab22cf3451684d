/**
 * What Envoy does when the rate-limit service cannot count: a limit fails closed (503 with a
 * problem+json body) unless it says `failureMode: "allow"`. First the service's Redis goes away
 * (the service answers UNAVAILABLE), then the service itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Route } from "../../src/config/types.ts";
import { RedisCounters } from "../../src/ratelimit/redis-counters.ts";
import { type RunningRateLimitService, startRateLimitService } from "../../src/ratelimit/server.ts";
import { createLogger } from "../../src/server/log.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import type { CompiledEnvoy } from "../support/compiled-envoy.ts";
import { freePort } from "../support/ports.ts";
import { type RunningRedis, startRedis } from "../support/redis.ts";
import { limitedGatewayConfig, limitedGatewayFiles, PUBLIC, send, startLimitedEnvoy } from "./limited-gateway.ts";

const ROUTES: Route[] = [
  { name: "closed", match: { path: "/closed" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 100, per: "minute", mode: "global" } },
  { name: "open", match: { path: "/open" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 100, per: "minute", mode: "global", failureMode: "allow" } },
  { name: "unlimited", match: { path: "/unlimited" }, provider: "orders", access: PUBLIC },
];

let redis: RunningRedis;
let backend: TestBackend;
let store: RedisCounters;
let service: RunningRateLimitService;
let compiled: CompiledEnvoy;
let port: number;
const files = limitedGatewayFiles();

beforeAll(async () => {
  [redis, backend] = await Promise.all([startRedis(), startBackend("orders")]);
  store = new RedisCounters(redis.url, () => {});
  await store.ready();
  service = await startRateLimitService({ host: "127.0.0.1", port: 0, store, log: createLogger({ level: "error", write: () => {} }) });
  port = await freePort();
  compiled = await startLimitedEnvoy(limitedGatewayConfig({ port, backendPort: backend.port, routes: ROUTES, rateLimitService: service.address }), files);
}, 60_000);

afterAll(async () => {
  await compiled?.envoy.stop();
  await service?.close();
  await store?.close();
  await Promise.all([redis?.stop(), backend?.close()]);
  files.remove();
});

async function expectFailClosedAndOpen() {
  const closed = await send(port, "/v1/orders/closed");
  expect(closed.status).toBe(503);
  expect(closed.headers["content-type"]).toBe("application/problem+json");
  expect(JSON.parse(closed.body)).toMatchObject({ status: 503, title: "Service Unavailable", reason: "rate_limiter_error" });
  const open = await send(port, "/v1/orders/open");
  expect(open.status).toBe(200);
  expect(open.headers["ratelimit"]).toBeUndefined();
  expect((await send(port, "/v1/orders/unlimited")).status).toBe(200);
}

describe("failure mode", () => {
  it("counts while the service and Redis answer", async () => {
    for (const path of ["/v1/orders/closed", "/v1/orders/open"]) expect((await send(port, path)).status).toBe(200);
  });

  it("with Redis gone: deny answers 503, allow lets requests through", async () => {
    await redis.stop();
    await expectFailClosedAndOpen();
  });

  it("with the service gone: the same", async () => {
    await service.close();
    await expectFailClosedAndOpen();
  });
});
