/**
 * Where the access log's `api` and `version` come from (src/xds/route-metadata.ts): a listener
 * whose route tables each hold one API version writes them once per virtual host and none on its
 * routes; a listener with a table that mixes versions (header versioning: two versions on the same
 * paths) keeps them on each route. Both through real Envoy: every request's log line names the
 * API and version of the route it took.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import type { RouteConfiguration } from "../../generated/envoy/config/route/v3/route_pb.js";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import * as xds from "../../src/envoy/type-urls.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { type RunningEnvoy, startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

const open = { public: { reason: "route metadata test" } };

function gateway(byPath: number, byHeader: number, backend: number): GatewayConfig {
  return {
    gateway: {
      name: "route-metadata",
      listeners: [
        { name: "by-path", address: "127.0.0.1", port: byPath, hostnames: ["api.test"] },
        { name: "by-header", address: "127.0.0.1", port: byHeader, hostnames: ["header.test"] },
      ],
    },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backend}`], plaintext: { reason: "test backend on loopback" } } },
    apis: [
      {
        name: "orders",
        owner: "team-orders",
        description: "Versions in the path: one scope each.",
        basePath: "/orders",
        hostnames: ["api.test"],
        versions: {
          v1: { state: "published", access: open, routes: [{ name: "list", match: { path: "/items" }, provider: "app" }] },
          v2: { state: "published", access: open, routes: [{ name: "list", match: { path: "/items" }, provider: "app" }] },
        },
      },
      {
        name: "billing",
        owner: "team-billing",
        description: "Versions in a header: both on the same paths, in one scope.",
        basePath: "/billing",
        hostnames: ["header.test"],
        versioning: { by: "header", header: "api-version", default: "v1" },
        versions: {
          v1: { state: "published", access: open, routes: [{ name: "invoices", match: { path: "/invoices" }, provider: "app" }] },
          v2: { state: "published", access: open, routes: [{ name: "invoices", match: { path: "/invoices" }, provider: "app" }] },
        },
      },
    ],
  };
}

let backend: TestBackend;
let envoy: RunningEnvoy;
let snapshot: Snapshot;
let ports: { byPath: number; byHeader: number };

function send(port: number, path: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host, ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The route tables of one listener: its own, or its scopes'. */
function tables(listener: string): RouteConfiguration[] {
  return [...snapshot.resources.get(xds.ROUTE_CONFIGURATION_TYPE_URL)!.values()].filter((resource) => resource.name === listener || resource.name.startsWith(`${listener}/`)).map((resource) => resource.message as RouteConfiguration);
}

beforeAll(async () => {
  backend = await startBackend("app");
  ports = { byPath: await freePort(), byHeader: await freePort() };
  const compiled = compileGateway(gateway(ports.byPath, ports.byHeader, backend.port), undefined, { env: {} });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  snapshot = compiled.snapshot!;
  envoy = await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot)) as Record<string, unknown> });
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
});

describe("the access log's api and version", () => {
  it("are written once per virtual host where each table holds one API version, and on each route elsewhere", () => {
    const byPath = tables("by-path");
    expect(byPath.length).toBe(2);
    for (const table of byPath) {
      for (const host of table.virtualHosts) {
        expect(host.metadata?.filterMetadata["portcullis"]).toBeDefined();
        for (const route of host.routes) expect(route.metadata).toBeUndefined();
      }
    }
    const byHeader = tables("by-header").flatMap((table) => table.virtualHosts);
    expect(byHeader.length).toBeGreaterThan(0);
    for (const host of byHeader) expect(host.metadata).toBeUndefined();
    const configured = byHeader.flatMap((host) => host.routes).filter((route) => route.name.startsWith("billing."));
    expect(configured.length).toBeGreaterThan(1);
    for (const route of configured) expect(route.metadata?.filterMetadata["portcullis"]).toBeDefined();
  });

  it("name the route's API and version in Envoy's log line, from either place", async () => {
    const probes: [number, string, string, Record<string, string>, string, string][] = [
      [ports.byPath, "/v1/orders/items", "api.test", {}, "orders", "v1"],
      [ports.byPath, "/v2/orders/items", "api.test", {}, "orders", "v2"],
      [ports.byHeader, "/billing/invoices", "header.test", { "api-version": "v2" }, "billing", "v2"],
      [ports.byHeader, "/billing/invoices", "header.test", {}, "billing", "v1"],
    ];
    for (const [index, [port, path, host, headers]] of probes.entries()) {
      expect(await send(port, path, host, { ...headers, "user-agent": `probe-${index}` })).toBe(200);
    }
    let lines: Record<string, unknown>[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      lines = envoy.accessLog();
      // Envoy flushes access logs about once a second.
      if (probes.every((_, index) => lines.some((line) => line["user_agent"] === `probe-${index}`))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const [index, [, path, , , api, version]] of probes.entries()) {
      expect(lines.find((line) => line["user_agent"] === `probe-${index}`), path).toMatchObject({ api, version, status: 200 });
    }
  });
});
