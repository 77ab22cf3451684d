/**
 * Two gateways on one port: Envoy's default SO_REUSEPORT would let the second bind it too, and the
 * kernel would then split connections between them (a config's traffic half served by another
 * config). Our listeners turn it off, so the second Envoy's listener fails to bind instead.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

let port = 0;
let first: TestBackend;
let second: TestBackend;

/** A gateway whose one route answers from `backend`, so a response tells which gateway served it. */
function gateway(name: string, backend: TestBackend): GatewayConfig {
  return {
    gateway: { name, listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["api.test"] }] },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [{ name: "shop", owner: "test", basePath: "/shop", versions: { v1: { state: "published", access: { public: { reason: "test" } }, routes: [{ name: "all", match: { prefix: "/" }, provider: "app" }] } } }],
  };
}

/** One request on a new connection (the kernel picks a listening socket per connection): the backend that answered. */
function servedBy(): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/v1/shop", agent: false, headers: { host: "api.test" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.headers["x-backend"] as string | undefined));
    });
    req.on("error", reject);
    req.end();
  });
}

function bootstrapOf(config: GatewayConfig): Record<string, unknown> {
  const { snapshot, diagnostics } = compileGateway(config);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot!)) as Record<string, unknown>;
}

beforeAll(async () => {
  [first, second] = await Promise.all([startBackend("first"), startBackend("second")]);
  port = await freePort();
});

afterAll(async () => {
  await stopAllEnvoys();
  await Promise.all([first?.close(), second?.close()]);
});

describe("a second gateway on a port that is taken", () => {
  it("fails to bind its listener, and every request still reaches the first gateway", async () => {
    await startEnvoy({ bootstrap: bootstrapOf(gateway("first", first)) });
    const started = startEnvoy({ bootstrap: bootstrapOf(gateway("second", second)) });
    await expect(started).rejects.toThrow(/cannot bind '127\.0\.0\.1:\d+': Address already in use/);
    const served: (string | undefined)[] = [];
    for (let i = 0; i < 20; i++) served.push(await servedBy());
    expect(new Set(served)).toEqual(new Set(["first"]));
  });
});
