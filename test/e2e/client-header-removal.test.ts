/**
 * Client-sent copies of the gateway's identity headers, and forwarding, URL-rewrite and
 * method-override headers, are removed before any HTTP filter runs — not by the router at the end
 * of the chain, where every filter would already have read them. Proven with a probe: an RBAC
 * filter put first in the chain that denies any request still carrying one of them.
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

const IDENTITY = ["x-portcullis-subject", "x-portcullis-roles", "x-portcullis-consumer"];
const FORWARDING = ["forwarded", "true-client-ip", "x-forwarded-host", "x-forwarded-port", "x-real-ip"];
const REWRITE_AND_OVERRIDE = ["x-http-method", "x-http-method-override", "x-method-override", "x-original-url", "x-rewrite-url"];

let backend: TestBackend;

function gateway(port: number, trustedProxyHops: number): GatewayConfig {
  return {
    gateway: { name: "probed", trustedProxyHops, listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["api.test"] }] },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [{ name: "shop", owner: "test", basePath: "/shop", versions: { v1: { state: "published", access: { public: { reason: "test" } }, routes: [{ name: "all", match: { prefix: "/" }, provider: "app" }] } } }],
  };
}

/** An RBAC filter that answers 403 to any request that still carries one of `headers`. */
function probe(headers: readonly string[]) {
  return {
    name: "probe.rbac",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
      rules: {
        action: "DENY",
        policies: { "client-header-seen": { permissions: [{ any: true }], principals: headers.map((name) => ({ header: { name, present_match: true } })) } },
      },
    },
  };
}

/** Starts Envoy on the compiled gateway with `probe` first in its HTTP filter chain; returns its port. */
async function startProbedGateway(trustedProxyHops: number, probed: readonly string[]): Promise<number> {
  const port = await freePort();
  const { snapshot, diagnostics } = compileGateway(gateway(port, trustedProxyHops));
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const bootstrap = toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot!)) as { static_resources: { listeners: { filter_chains: { filters: { name: string; typed_config: { http_filters: unknown[] } }[] }[] }[] } };
  const manager = bootstrap.static_resources.listeners[0]!.filter_chains[0]!.filters.find((f) => f.name === "envoy.filters.network.http_connection_manager")!;
  manager.typed_config.http_filters.unshift(probe(probed));
  await startEnvoy({ bootstrap: bootstrap as unknown as Record<string, unknown> });
  return port;
}

function call(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/v1/shop/items", headers: { host: "api.test", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

const sending = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, name === "x-real-ip" || name === "true-client-ip" ? "10.6.6.6" : "claimed"]));

beforeAll(async () => {
  backend = await startBackend("app");
});

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
});

describe("client headers the gateway does not trust", () => {
  it("the probe sees a client header the gateway keeps", async () => {
    const port = await startProbedGateway(0, ["x-kept"]);
    expect(await call(port, { "x-kept": "1" })).toBe(403);
    expect(await call(port, {})).toBe(200);
  });

  it("are gone before the first HTTP filter runs", async () => {
    const all = [...IDENTITY, ...FORWARDING, ...REWRITE_AND_OVERRIDE];
    const port = await startProbedGateway(0, all);
    for (const name of all) expect({ name, status: await call(port, sending([name])) }).toEqual({ name, status: 200 });
  });

  it("behind a trusted proxy: forwarding headers are the proxy's and stay; identity, URL-rewrite and override headers never do", async () => {
    const port = await startProbedGateway(1, [...IDENTITY, ...REWRITE_AND_OVERRIDE]);
    backend.received.length = 0;
    expect(await call(port, sending([...IDENTITY, ...FORWARDING, ...REWRITE_AND_OVERRIDE]))).toBe(200);
    const seen = Object.keys(backend.received[0]!.headers);
    expect(FORWARDING.filter((name) => !seen.includes(name))).toEqual([]);
    expect([...IDENTITY, ...REWRITE_AND_OVERRIDE].filter((name) => seen.includes(name))).toEqual([]);
  });
});
