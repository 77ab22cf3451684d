/**
 * Certificate rotation through a real Envoy fed by a real `serve --watch` process: the listener's
 * certificate and key files are replaced on disk (by rename, as deploy tools do) under a steady
 * HTTPS load; new connections get the new certificate with no Envoy restart and no failed
 * request. Writes to files the config does not use recompile nothing.
 */
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startEnvoy, stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { replaceByRename } from "../support/files.ts";
import { eventually } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

let dir: string;
let pki: TestPki;
let backend: TestBackend;
let serve: ServeProcess;
let envoy: RunningEnvoy;
let listenerPort: number;
let ca: Buffer;

interface Probe {
  readonly status: number;
  /** SHA-256 fingerprint of the certificate the listener presented. */
  readonly fingerprint?: string;
}

/** One GET on a new TLS connection, so every request sees the certificate served at that moment. */
function probe(): Promise<Probe> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port: listenerPort, path: "/v1/shop/items", servername: "api.test", headers: { host: "api.test" }, ca, agent: false, timeout: 2000 },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, fingerprint }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0 }));
    req.end();
  });
}

/** Two clients in a loop until stopped: every answer's status and certificate. */
function httpsLoad() {
  let running = true;
  const results: Probe[] = [];
  const client = async () => {
    while (running) {
      results.push(await probe());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const clients = [client(), client()];
  return {
    results,
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return results;
    },
  };
}

const fingerprintOf = (certFile: string) => new X509Certificate(readFileSync(certFile)).fingerprint256;
const recompiles = () => serve.output().split("\n").filter((line) => line.includes("config changed; recompiling")).length;


beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-rotation-"));
  pki = createTestPki();
  ca = readFileSync(pki.caFile);
  backend = await startBackend("shop");
  let xdsPort: number, adminPort: number;
  [xdsPort, adminPort, listenerPort] = (await freePorts(3)) as [number, number, number];
  const first = pki.issue("first", ["DNS:api.test"]);
  mkdirSync(join(dir, "tls"));
  copyFileSync(first.certFile, join(dir, "tls", "server.pem"));
  copyFileSync(first.keyFile, join(dir, "tls", "server.key"));
  writeFileSync(join(dir, "gateway.yaml"), `gateway:
  name: rotation
  listeners:
    - name: web
      address: 127.0.0.1
      port: ${listenerPort}
      hostnames: [api.test]
      tls:
        certificate: { file: tls/server.pem }
        privateKey: { file: tls/server.key }
providers:
  shop:
    type: service
    endpoints: ["127.0.0.1:${backend.port}"]
    plaintext: { reason: test backend on loopback }
apis:
  - name: shop
    owner: platform
    basePath: /shop
    versions:
      v1:
        state: published
        access: { public: { reason: a public API for the rotation test } }
        routes:
          - match: { path: /items, methods: [GET] }
            provider: shop
`);
  serve = await startServe(join(dir, "gateway.yaml"), { xdsPort, adminPort, watch: true });
  envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "rotation-edge", cluster: "rotation", xdsPort }) as Record<string, unknown> });
  await eventually(probe, (r) => r.status === 200, "the first certificate to be served");
});

afterAll(async () => {
  await stopAllEnvoys();
  serve?.child.kill("SIGKILL");
  await backend?.close();
  pki?.remove();
  await rm(dir, { recursive: true, force: true });
});

it("writes to files the config does not use recompile nothing", async () => {
  const before = recompiles();
  writeFileSync(join(dir, "notes.yaml"), "not: a config\n");
  writeFileSync(join(dir, "other.config.ts"), "export default {};\n");
  writeFileSync(join(dir, "tls", "README"), "the listener's certificate and key\n");
  replaceByRename(join(dir, "tls", "unused.pem"), pki.caFile);
  // Long enough for the watcher to have seen the writes and its debounce to have run out.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(recompiles()).toBe(before);
});

it("serves a rotated certificate and key to new connections, with no Envoy restart and no failed request", async () => {
  const first = fingerprintOf(join(dir, "tls", "server.pem"));
  expect((await probe()).fingerprint).toBe(first);
  const second = pki.issue("second", ["DNS:api.test"]);
  const load = httpsLoad();
  try {
    await eventually(async () => load.results.length, (n) => n >= 20, "the load to be running");
    replaceByRename(join(dir, "tls", "server.key"), second.keyFile);
    replaceByRename(join(dir, "tls", "server.pem"), second.certFile);
    await eventually(async () => load.results.at(-1), (r) => r?.fingerprint === fingerprintOf(second.certFile), "the new certificate to be served");
    // Keep the load going a little after the switch, on the new certificate.
    const switched = load.results.length;
    await eventually(async () => load.results.length, (n) => n >= switched + 20, "more requests on the new certificate");
  } finally {
    const results = await load.stop();
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(new Set(results.map((r) => r.fingerprint))).toEqual(new Set([first, fingerprintOf(second.certFile)]));
  }
  // Envoy took the new certificate as a Secret update: the listener itself was never replaced
  // (that would drain its connections).
  expect(await envoy.admin("/stats?filter=listener_manager.listener_modified$")).toContain("listener_manager.listener_modified: 0");
});
