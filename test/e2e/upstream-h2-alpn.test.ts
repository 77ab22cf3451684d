/**
 * An HTTP/2 service over TLS (`protocol: http2` with `tls`), through a real Envoy: the service is
 * Node's http2 server with allowHTTP1 off, which closes any TLS connection that does not
 * negotiate `h2` in ALPN. Requests reach it either way (Envoy's HTTP/2 pool falls back to `h2`
 * by itself), but the health checker's connections get no such fallback: without `h2` in the TLS
 * context (and HTTP/2 as the probes' codec), the only endpoint's probes never arrive.
 */
import { readFileSync } from "node:fs";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { GatewayConfig } from "../../src/config/types.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";
import { ordersV1 } from "../support/test-apis.ts";

let pki: TestPki;
let service: Http2SecureServer;
let listenerPort: number;
/** The ALPN protocol each request to the service arrived on. */
const negotiated: string[] = [];

beforeAll(async () => {
  pki = createTestPki();
  const server = pki.issue("orders", ["DNS:orders.test"]);
  service = createSecureServer({ cert: readFileSync(server.certFile), key: readFileSync(server.keyFile), allowHTTP1: false }, (req, res) => {
    negotiated.push(`${req.url} ${(req.socket as TLSSocket).alpnProtocol}`);
    res.writeHead(200, { "content-type": "text/plain", "x-http-version": req.httpVersion });
    res.end("orders over h2");
  });
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  listenerPort = await freePort();
  const config: GatewayConfig = {
    gateway: { name: "h2-alpn", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["127.0.0.1"] }] },
    providers: {
      orders: {
        type: "service",
        endpoints: [`127.0.0.1:${(service.address() as AddressInfo).port}`],
        protocol: "http2",
        tls: { sni: "orders.test", caCertificate: { file: pki.caFile }, expectedSans: ["orders.test"] },
        healthCheck: { path: "/healthz", interval: "1s", timeout: "1s", healthyThreshold: 1, unhealthyThreshold: 1 },
      },
    },
    apis: [ordersV1({ public: { reason: "a public API for the HTTP/2 upstream test" } }, [{ name: "list", match: { path: "/", methods: ["GET"] }, provider: "orders" }])],
  };
  await startCompiledEnvoy(config);
}, 60_000);

afterAll(async () => {
  await stopAllEnvoys();
  service?.close();
  pki?.remove();
});

it("reaches an HTTP/2-only TLS service: the cluster offers h2 in ALPN", async () => {
  const response = await fetch(`http://127.0.0.1:${listenerPort}/v1/orders`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("orders over h2");
  expect(response.headers.get("x-http-version")).toBe("2.0");
  expect(negotiated.filter((line) => line.startsWith("/v1/"))).toEqual(["/v1/orders h2"]);
  // The health checker's own connections negotiate it too, or the only endpoint would be marked down.
  expect(negotiated.filter((line) => line.startsWith("/healthz")).length).toBeGreaterThan(0);
  expect(new Set(negotiated.filter((line) => line.startsWith("/healthz")))).toEqual(new Set(["/healthz h2"]));
});
