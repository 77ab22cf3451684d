/**
 * Upstream mTLS with rotating files, through a real Envoy fed by `serve --watch`: the gateway's
 * client certificate for a service that demands one is replaced on disk under a steady load; the
 * service starts seeing the new certificate with no Envoy restart and no failed request, because
 * the certificate travels as an SDS Secret and the cluster is never replaced.
 */
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { replaceByRename } from "../support/files.ts";
import { backgroundLoad, eventually, get } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

let dir: string;
let pki: TestPki;
let service: Server;
let serve: ServeProcess;
let envoy: RunningEnvoy;
let listenerPort: number;
/** The fingerprint of the client certificate on each request the service answered. */
const seen: string[] = [];

const fingerprintOf = (certFile: string) => new X509Certificate(readFileSync(certFile)).fingerprint256;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-upstream-rotation-"));
  pki = createTestPki();
  const server = pki.issue("service", ["DNS:orders.test"]);
  // A service that refuses any client without a certificate from the CA.
  service = createServer({ cert: readFileSync(server.certFile), key: readFileSync(server.keyFile), ca: readFileSync(pki.caFile), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    seen.push((req.socket as TLSSocket).getPeerCertificate().fingerprint256);
    // One connection per request, so each shows the certificate Envoy presents at that moment.
    res.writeHead(200, { "x-backend": "orders", connection: "close" });
    res.end("ok");
  });
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  let xdsPort: number, adminPort: number;
  [xdsPort, adminPort, listenerPort] = (await freePorts(3)) as [number, number, number];
  const first = pki.issue("gateway-1", ["URI:spiffe://test.example/gateway"]);
  mkdirSync(join(dir, "tls"));
  copyFileSync(pki.caFile, join(dir, "tls", "ca.pem"));
  copyFileSync(first.certFile, join(dir, "tls", "client.pem"));
  copyFileSync(first.keyFile, join(dir, "tls", "client.key"));
  writeFileSync(join(dir, "gateway.yaml"), `gateway:
  name: upstream-rotation
  listeners:
    - { name: web, address: 127.0.0.1, port: ${listenerPort}, hostnames: ["127.0.0.1"] }
providers:
  orders:
    type: service
    endpoints: ["127.0.0.1:${(service.address() as AddressInfo).port}"]
    tls:
      sni: orders.test
      caCertificate: { file: tls/ca.pem }
      expectedSans: [orders.test]
      clientCertificate: { certificate: { file: tls/client.pem }, privateKey: { file: tls/client.key } }
apis:
  - name: orders
    owner: platform
    basePath: /orders
    versions:
      v1:
        state: published
        access: { public: { reason: a public API for the upstream rotation test } }
        routes:
          - match: { path: /items, methods: [GET] }
            provider: orders
`);
  serve = await startServe(join(dir, "gateway.yaml"), { xdsPort, adminPort, watch: true });
  envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "upstream-rotation-edge", cluster: "upstream-rotation", xdsPort }) as Record<string, unknown> });
  await eventually(() => get(listenerPort, "/v1/orders/items"), (r) => r.status === 200, "the service to be reached over mTLS");
});

afterAll(async () => {
  await stopAllEnvoys();
  serve?.child.kill("SIGKILL");
  service?.closeAllConnections();
  service?.close();
  pki?.remove();
  await rm(dir, { recursive: true, force: true });
});

it("presents a rotated client certificate to the service, with no Envoy restart and no failed request", async () => {
  const first = fingerprintOf(join(dir, "tls", "client.pem"));
  expect(seen.at(-1)).toBe(first);
  const second = pki.issue("gateway-2", ["URI:spiffe://test.example/gateway"]);
  const load = backgroundLoad(listenerPort, "/v1/orders/items");
  try {
    await eventually(async () => seen.length, (n) => n >= 20, "the load to be running");
    replaceByRename(join(dir, "tls", "client.key"), second.keyFile);
    replaceByRename(join(dir, "tls", "client.pem"), second.certFile);
    await eventually(async () => seen.at(-1), (fingerprint) => fingerprint === fingerprintOf(second.certFile), "the new client certificate to reach the service");
  } finally {
    const { failures } = await load.stop();
    expect(failures).toEqual([]);
  }
  expect(new Set(seen)).toEqual(new Set([first, fingerprintOf(second.certFile)]));
  expect(await envoy.admin("/stats?filter=cluster_manager.cluster_modified$")).toContain("cluster_manager.cluster_modified: 0");
});
