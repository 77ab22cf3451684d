/**
 * Lifecycle headers through real Envoy (RFC 9745 and RFC 8594): `Deprecation` carries the day a
 * version was deprecated — or, in the future, will be — never its sunset; a deprecated version
 * without that day sends no `Deprecation` (and the governance pack says so, PCL-GOV-007);
 * `Sunset` stays an HTTP-date, and the successor is a `Link`.
 */
import { get, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import type { Diagnostic } from "../../src/config/diagnostics.ts";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig, Route } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

const unixSeconds = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / 1000;
const routes: Route[] = [{ name: "list", match: { path: "/items", methods: ["GET"] }, provider: "shop" }];
const open = { public: { reason: "lifecycle test without identities" } };

function gateway(listenerPort: number, backendPort: number): GatewayConfig {
  return {
    gateway: { name: "lifecycle", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["api.test"] }] },
    providers: { shop: { type: "service", endpoints: [`127.0.0.1:${backendPort}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "orders",
        owner: "shop",
        description: "Lifecycle headers under test.",
        basePath: "/orders",
        versions: {
          v1: { state: "deprecated", deprecatedOn: "2026-01-15", sunset: "2099-06-30", successor: "v4", access: open, routes },
          v2: { state: "deprecated", deprecatedOn: "2098-03-01", sunset: "2099-06-30", successor: "v4", access: open, routes },
          v3: { state: "deprecated", sunset: "2099-06-30", successor: "v4", access: open, routes },
          v4: { state: "published", access: open, routes },
        },
      },
    ],
  };
}

let backend: TestBackend;
let port = 0;
let diagnostics: readonly Diagnostic[] = [];

beforeAll(async () => {
  backend = await startBackend("shop");
  port = await freePort();
  const compiled = compileGateway(gateway(port, backend.port), undefined, { today: "2026-12-03" });
  diagnostics = compiled.diagnostics;
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(compiled.snapshot!)) as Record<string, unknown> });
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
});

/** The response headers of GET /<version>/orders/items (node:http: fetch cannot set Host). */
async function headersOf(version: string): Promise<Map<string, string | null>> {
  const reply = await new Promise<IncomingMessage>((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: `/${version}/orders/items`, headers: { host: "api.test" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    }).on("error", reject);
  });
  expect(reply.statusCode).toBe(200);
  const one = (name: string) => {
    const value = reply.headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  };
  return new Map(["deprecation", "sunset", "link"].map((name) => [name, one(name)]));
}

describe("lifecycle headers through real Envoy", () => {
  it("sends the day of deprecation, not the sunset, with Sunset and the successor link", async () => {
    const headers = await headersOf("v1");
    expect(headers.get("deprecation")).toBe(`@${unixSeconds(2026, 1, 15)}`);
    expect(headers.get("sunset")).toBe("Tue, 30 Jun 2099 00:00:00 GMT");
    expect(headers.get("link")).toBe('</v4/orders>; rel="successor-version"');
  });

  it("announces a deprecation ahead with its future day", async () => {
    const headers = await headersOf("v2");
    expect(headers.get("deprecation")).toBe(`@${unixSeconds(2098, 3, 1)}`);
    expect(headers.get("sunset")).toBe("Tue, 30 Jun 2099 00:00:00 GMT");
  });

  it("sends no Deprecation for a deprecated version without its day, and reports it", async () => {
    const headers = await headersOf("v3");
    expect(headers.get("deprecation")).toBeNull();
    expect(headers.get("sunset")).toBe("Tue, 30 Jun 2099 00:00:00 GMT");
    const finding = diagnostics.find((d) => d.code === "PCL-GOV-007");
    expect(finding).toMatchObject({ severity: "warning", path: ["apis", 0, "versions", "v3", "state"] });
    expect(diagnostics.filter((d) => d.code === "PCL-GOV-007")).toHaveLength(1);
    expect(diagnostics.some((d) => d.code === "PCL4012")).toBe(false);
  });

  it("sends none of them on a published version", async () => {
    const headers = await headersOf("v4");
    expect(headers.get("deprecation")).toBeNull();
    expect(headers.get("sunset")).toBeNull();
    expect(headers.get("link")).toBeNull();
  });
});
