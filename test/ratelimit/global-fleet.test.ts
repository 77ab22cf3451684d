/**
 * Global rate limits through real Envoy: several Envoys, Portcullis's rate-limit service (two
 * replicas) and one real redis-server. The services' clock is held at the start of a window, so
 * a window boundary never falls inside a test.
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
import { KEYS, limitedGatewayConfig, limitedGatewayFiles, PARTNERS, PUBLIC, send, startLimitedEnvoy, statuses, USERS } from "./limited-gateway.ts";

/** 10:00:01 on some day: one second into a minute (and an hour) window. */
const NOW = Date.UTC(2026, 11, 3, 10, 0, 1);
const log = createLogger({ level: "error", write: () => {} });

const ROUTES: Route[] = [
  { name: "fleet", match: { path: "/fleet" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 6, per: "minute", mode: "global" } },
  { name: "clients", match: { path: "/clients" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 2, per: "minute", by: "client", mode: "global" } },
  { name: "users", match: { path: "/users" }, provider: "orders", access: { allow: [{ identity: "users" }, { identity: "partners" }] }, rateLimit: { requests: 2, per: "minute", by: "identity", mode: "global" } },
  { name: "consumers", match: { path: "/consumers" }, provider: "orders", access: PARTNERS, rateLimit: { requests: 2, per: "minute", by: "consumer", mode: "global" } },
  { name: "teams", match: { path: "/teams" }, provider: "orders", access: PARTNERS, rateLimit: { requests: 2, per: "minute", by: "team", mode: "global" } },
  { name: "tokens", match: { path: "/tokens" }, provider: "orders", access: USERS, rateLimit: { requests: 1, per: "minute", by: "identity", mode: "global" } },
];

let redis: RunningRedis;
let backend: TestBackend;
const replicas: RunningRateLimitService[] = [];
const stores: RedisCounters[] = [];
const envoys: CompiledEnvoy[] = [];
const ports: number[] = [];
const files = limitedGatewayFiles();

async function replica(): Promise<RunningRateLimitService> {
  const store = new RedisCounters(redis.url, () => {});
  await store.ready();
  stores.push(store);
  const service = await startRateLimitService({ host: "127.0.0.1", port: 0, store, log, now: () => NOW });
  replicas.push(service);
  return service;
}

async function envoyFor(service: RunningRateLimitService, extra: Partial<Parameters<typeof limitedGatewayConfig>[0]> = {}): Promise<number> {
  const port = await freePort();
  envoys.push(await startLimitedEnvoy(limitedGatewayConfig({ port, backendPort: backend.port, routes: ROUTES, rateLimitService: service.address, ...extra }), files));
  return port;
}

beforeAll(async () => {
  [redis, backend] = await Promise.all([startRedis(), startBackend("orders")]);
  const [first, second] = [await replica(), await replica()];
  // Envoys A and B ask the first replica, C the second; all count in one Redis.
  for (const service of [first, first, second]) ports.push(await envoyFor(service));
}, 60_000);

afterAll(async () => {
  await Promise.all(envoys.map((compiled) => compiled.envoy.stop()));
  await Promise.all(replicas.map((service) => service.close()));
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([redis?.stop(), backend?.close()]);
  files.remove();
});

const [A, B, C] = [0, 1, 2];
const via = (envoy: number, path: string, options: Parameters<typeof send>[2] = {}) => send(ports[envoy]!, path, options);

describe("global rate limits", () => {
  it("a limit of 6 per minute holds across two Envoys on one service and a third on another replica of the same Redis", async () => {
    const order = [A, B, C, A, B, C, A, B, C];
    expect(await statuses(order.length, (index) => via(order[index]!, "/v1/orders/fleet"))).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it("answers with RateLimit-Policy and RateLimit always, and Retry-After and a problem+json body on the 429", async () => {
    const ok = await via(A, "/v2/orders/fleet");
    expect(ok.status).toBe(200);
    expect(ok.headers["ratelimit-policy"]).toBe('"orders.v2.fleet";q=6;w=60');
    expect(ok.headers["ratelimit"]).toBe('"orders.v2.fleet";r=5;t=59');
    expect(ok.headers["retry-after"]).toBeUndefined();
    await statuses(5, () => via(B, "/v2/orders/fleet"));
    const refused = await via(C, "/v2/orders/fleet");
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("59");
    expect(refused.headers["ratelimit-policy"]).toBe('"orders.v2.fleet";q=6;w=60');
    expect(refused.headers["ratelimit"]).toBe('"orders.v2.fleet";r=0;t=59');
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, title: "Too Many Requests" });
  });

  it("counts each client address apart, and a spoofed X-Forwarded-For does not move a client to another count", async () => {
    expect(await statuses(2, () => via(A, "/v1/orders/clients", { from: "127.0.0.1" }))).toEqual([200, 200]);
    expect((await via(B, "/v1/orders/clients", { from: "127.0.0.1", headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(429);
    expect((await via(C, "/v1/orders/clients", { from: "127.0.0.1", headers: { "x-real-ip": "203.0.113.10", forwarded: "for=203.0.113.11" } })).status).toBe(429);
    expect(await statuses(3, () => via(B, "/v1/orders/clients", { from: "127.0.0.2" }))).toEqual([200, 200, 429]);
  });

  it("counts each verified identity apart: two JWT subjects, two API-key consumers", async () => {
    const alice = { authorization: `Bearer ${files.token("alice")}` };
    const bob = { authorization: `Bearer ${files.token("bob")}` };
    expect(await statuses(3, (i) => via([A, B, C][i]!, "/v1/orders/users", { headers: alice }))).toEqual([200, 200, 429]);
    expect(await statuses(3, () => via(A, "/v1/orders/users", { headers: bob }))).toEqual([200, 200, 429]);
    expect(await statuses(3, () => via(C, "/v1/orders/users", { headers: { "x-api-key": KEYS.acme } }))).toEqual([200, 200, 429]);
    expect(await statuses(1, () => via(C, "/v1/orders/users", { headers: { "x-api-key": KEYS.globex } }))).toEqual([200]);
  });

  it("counts by the verified consumer, never by a consumer or subject header the client sends", async () => {
    expect(await statuses(2, () => via(A, "/v1/orders/consumers", { headers: { "x-api-key": KEYS.acme } }))).toEqual([200, 200]);
    expect((await via(B, "/v1/orders/consumers", { headers: { "x-api-key": KEYS.acme, "x-portcullis-consumer": "initech" } })).status).toBe(429);
    expect((await via(B, "/v1/orders/consumers", { headers: { "x-api-key": KEYS.initech } })).status).toBe(200);
    const alice = { authorization: `Bearer ${files.token("alice")}` };
    expect((await via(A, "/v1/orders/tokens", { headers: alice })).status).toBe(200);
    expect((await via(B, "/v1/orders/tokens", { headers: { ...alice, "x-portcullis-subject": "mallory", "x-portcullis-identity": "partners" } })).status).toBe(429);
  });

  it("counts a team's consumers together and other teams apart", async () => {
    expect((await via(A, "/v1/orders/teams", { headers: { "x-api-key": KEYS.acme } })).status).toBe(200);
    expect((await via(B, "/v1/orders/teams", { headers: { "x-api-key": KEYS.globex } })).status).toBe(200);
    expect((await via(C, "/v1/orders/teams", { headers: { "x-api-key": KEYS.acme } })).status).toBe(429);
    expect((await via(A, "/v1/orders/teams", { headers: { "x-api-key": KEYS.initech } })).status).toBe(200);
  });

  it("an API-wide limit counts v1 and v2 together; scope version counts them apart", async () => {
    const apiWide = await envoyFor(replicas[0]!, { apiRateLimit: { requests: 3, per: "minute", mode: "global" }, routes: [{ name: "any", match: { prefix: "/" }, provider: "orders", access: PUBLIC }] });
    const seen = await statuses(4, (i) => send(apiWide, i % 2 === 0 ? "/v1/orders/a" : "/v2/orders/b"));
    expect(seen).toEqual([200, 200, 200, 429]);
    const refused = await send(apiWide, "/v1/orders/c");
    expect(refused.headers["ratelimit-policy"]).toBe('"orders";q=3;w=60');
    const perVersion = await envoyFor(replicas[1]!, { apiRateLimit: { requests: 1, per: "minute", mode: "global", scope: "version" }, routes: [{ name: "any", match: { prefix: "/" }, provider: "orders", access: PUBLIC }] });
    expect(await statuses(4, (i) => send(perVersion, i < 2 ? "/v1/orders/a" : "/v2/orders/a"))).toEqual([200, 429, 200, 429]);
  }, 30_000);
});
