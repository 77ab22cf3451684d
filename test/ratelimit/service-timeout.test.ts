/**
 * gateway.rateLimitService.timeout is how long Envoy waits for the service: a service that takes
 * 400 ms to count is waited for with a 5 s timeout, and given up on (the failure mode applies)
 * with 100 ms.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Route } from "../../src/config/types.ts";
import { type CounterStore, MemoryCounters } from "../../src/ratelimit/counters.ts";
import { type RunningRateLimitService, startRateLimitService } from "../../src/ratelimit/server.ts";
import { createLogger } from "../../src/server/log.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";
import { limitedGatewayConfig, limitedGatewayFiles, PUBLIC, send, startLimitedEnvoy } from "./limited-gateway.ts";

const ROUTES: Route[] = [{ name: "slow", match: { path: "/slow" }, provider: "orders", access: PUBLIC, rateLimit: { requests: 100, per: "hour", mode: "global" } }];

/** Counts in memory, 400 ms late. */
function slowStore(): CounterStore {
  const memory = new MemoryCounters();
  return {
    add: async (hits, nowMs) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return memory.add(hits, nowMs);
    },
    close: () => memory.close(),
  };
}

let backend: TestBackend;
let service: RunningRateLimitService;
const ports: Record<string, number> = {};
const files = limitedGatewayFiles();

beforeAll(async () => {
  backend = await startBackend("orders");
  service = await startRateLimitService({ host: "127.0.0.1", port: 0, store: slowStore(), log: createLogger({ level: "error", write: () => {} }) });
  for (const timeout of ["100ms", "5s"]) {
    const port = await freePort();
    const config = limitedGatewayConfig({ port, backendPort: backend.port, routes: ROUTES });
    config.gateway.rateLimitService = { address: service.address, timeout };
    await startLimitedEnvoy(config, files);
    ports[timeout] = port;
  }
}, 60_000);

afterAll(async () => {
  await stopAllEnvoys();
  await service?.close();
  await backend?.close();
  files.remove();
});

it("Envoy waits for the service as long as the timeout says, then applies the failure mode", async () => {
  expect((await send(ports["5s"]!, "/v1/orders/slow")).status).toBe(200);
  expect((await send(ports["100ms"]!, "/v1/orders/slow")).status).toBe(503);
});
