/**
 * Local rate limits through real Envoy: each Envoy counts for itself (a token bucket per route,
 * or per key), and its 429 carries Retry-After, RateLimit-Policy, RateLimit and a problem+json
 * body. A global limit on the same gateway keeps the service's own headers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Route } from "../../src/config/types.ts";
import { MemoryCounters } from "../../src/ratelimit/counters.ts";
import { type RunningRateLimitService, startRateLimitService } from "../../src/ratelimit/server.ts";
import { createLogger } from "../../src/server/log.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import type { CompiledEnvoy } from "../support/compiled-envoy.ts";
import { freePort } from "../support/ports.ts";
import { KEYS, limitedGatewayConfig, limitedGatewayFiles, PARTNERS, PUBLIC, send, startLimitedEnvoy, statuses } from "./limited-gateway.ts";

const ROUTES: Route[] = [
  { name: "shared", match: { path: "/shared" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 2, per: "hour" } },
  { name: "clients", match: { path: "/clients" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 2, per: "hour", by: "client" } },
  { name: "consumers", match: { path: "/consumers" }, provider: "orders", access: PARTNERS, rateLimit: { requests: 1, per: "hour", by: "consumer" } },
  { name: "identities", match: { path: "/identities" }, provider: "orders", access: PARTNERS, rateLimit: { requests: 1, per: "hour", by: "identity" } },
  { name: "teams", match: { path: "/teams" }, provider: "orders", access: PARTNERS, rateLimit: { requests: 1, per: "hour", by: "team" } },
  { name: "fleet", match: { path: "/fleet" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 1, per: "hour", mode: "global" } },
];

let backend: TestBackend;
let service: RunningRateLimitService;
const envoys: CompiledEnvoy[] = [];
const ports: number[] = [];
const files = limitedGatewayFiles();

beforeAll(async () => {
  backend = await startBackend("orders");
  service = await startRateLimitService({ host: "127.0.0.1", port: 0, store: new MemoryCounters(), log: createLogger({ level: "error", write: () => {} }) });
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    envoys.push(await startLimitedEnvoy(limitedGatewayConfig({ port, backendPort: backend.port, routes: ROUTES, rateLimitService: service.address }), files));
    ports.push(port);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(envoys.map((compiled) => compiled.envoy.stop()));
  await service?.close();
  await backend?.close();
  files.remove();
});

describe("local rate limits", () => {
  it("count in each Envoy: a fleet of two admits the limit twice", async () => {
    expect(await statuses(3, () => send(ports[0]!, "/v1/orders/shared"))).toEqual([200, 200, 429]);
    expect(await statuses(3, () => send(ports[1]!, "/v1/orders/shared"))).toEqual([200, 200, 429]);
  });

  it("answer 429 with Retry-After, RateLimit-Policy, RateLimit and a problem+json body", async () => {
    const refused = await send(ports[0]!, "/v1/orders/shared");
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers["ratelimit-policy"]).toBe('"orders.v1.shared";q=2;w=3600');
    expect(refused.headers["ratelimit"]).toBe(`"orders.v1.shared";q=2;w=3600;r=0;t=${retryAfter}`);
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(refused.body)).toMatchObject({ type: "about:blank", status: 429, title: "Too Many Requests", reason: "local_rate_limited" });
  });

  it("count each client address apart, whatever X-Forwarded-For says", async () => {
    expect(await statuses(2, () => send(ports[0]!, "/v1/orders/clients", { from: "127.0.0.1" }))).toEqual([200, 200]);
    expect((await send(ports[0]!, "/v1/orders/clients", { from: "127.0.0.1", headers: { "x-forwarded-for": "198.51.100.7" } })).status).toBe(429);
    expect(await statuses(3, () => send(ports[0]!, "/v1/orders/clients", { from: "127.0.0.3" }))).toEqual([200, 200, 429]);
  });

  it("count each verified consumer apart, by consumer and by identity", async () => {
    for (const path of ["/v1/orders/consumers", "/v1/orders/identities"]) {
      expect(await statuses(2, () => send(ports[0]!, path, { headers: { "x-api-key": KEYS.acme } }))).toEqual([200, 429]);
      expect((await send(ports[0]!, path, { headers: { "x-api-key": KEYS.acme, "x-portcullis-consumer": "globex" } })).status).toBe(429);
      expect((await send(ports[0]!, path, { headers: { "x-api-key": KEYS.globex } })).status).toBe(200);
    }
  });

  it("count a team's consumers together", async () => {
    expect((await send(ports[0]!, "/v1/orders/teams", { headers: { "x-api-key": KEYS.acme } })).status).toBe(200);
    expect((await send(ports[0]!, "/v1/orders/teams", { headers: { "x-api-key": KEYS.globex } })).status).toBe(429);
    expect((await send(ports[0]!, "/v1/orders/teams", { headers: { "x-api-key": KEYS.initech } })).status).toBe(200);
  });

  it("leave a global limit's 429 headers as the rate-limit service wrote them", async () => {
    expect((await send(ports[0]!, "/v1/orders/fleet")).status).toBe(200);
    const refused = await send(ports[1]!, "/v1/orders/fleet");
    expect(refused.status).toBe(429);
    expect(refused.headers["ratelimit"]).toMatch(/^"orders\.v1\.fleet";r=0;t=\d+$/);
    expect(refused.headers["ratelimit-policy"]).toBe('"orders.v1.fleet";q=1;w=3600');
  });
});
