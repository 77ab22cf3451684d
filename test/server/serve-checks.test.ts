/**
 * Before a snapshot is pushed, the control plane checks what depends on the host Envoy runs on:
 * an access-log file in a directory that does not exist would make Envoy reject every listener.
 * Served on loopback (up, or serve beside its proxy) that is an error and the last good snapshot
 * stays; served to the network, where Envoys may have other file systems, a warning.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import { startControlPlane } from "../../src/server/control-plane.ts";
import { GatewayRegistry } from "../../src/server/gateway-registry.ts";
import { silentLogger } from "../../src/server/log.ts";
import { ControlPlaneMetrics } from "../../src/server/metrics.ts";
import { SnapshotCache } from "../../src/server/snapshot-cache.ts";
import { createTestPki } from "../support/certs.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-serve-checks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rest of every gateway here: one provider and one public route to it. */
const PROVIDER_AND_API = [
  "providers:",
  '  app: { type: service, endpoints: ["127.0.0.1:9999"], plaintext: { reason: test backend on loopback } }',
  "apis:",
  "  - { name: shop, owner: test, description: a test API, basePath: /shop, versions: { v1: { state: published, access: { public: { reason: a public test route } }, routes: [{ name: all, match: { prefix: / }, provider: app }] } } }",
  "",
];

/** Writes a gateway whose access log goes to `accessLog` (line 6 of the file); returns its path. */
function gatewayFile(name: string, accessLog: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      "gateway:",
      "  name: logs",
      "  listeners:",
      "    - { name: web, address: 127.0.0.1, port: 18080, hostnames: [api.test] }",
      "audit:",
      `  accessLog: ${accessLog}`,
      ...PROVIDER_AND_API,
    ].join("\n"),
  );
  return file;
}

const registry = (envoysOnThisHost: boolean) => {
  const cache = new SnapshotCache();
  return { cache, registry: new GatewayRegistry(cache, new ControlPlaneMetrics({ processMetrics: false }), silentLogger, { envoysOnThisHost }) };
};

describe("serve-time checks of the access log", () => {
  it("pass a file in a directory that exists, and stdout", async () => {
    for (const path of [join(dir, "access.log"), "stdout"]) {
      const { cache, registry: served } = registry(true);
      served.apply(await compileGatewayFile(gatewayFile("ok", path)));
      expect(served.list()[0]?.diagnostics).toEqual([]);
      expect(cache.getSnapshot("logs")).toBeDefined();
    }
  });

  it("refuse a directory that does not exist when the Envoys run here, keeping the last good snapshot", async () => {
    const { cache, registry: served } = registry(true);
    const file = gatewayFile("gateway", join(dir, "access.log"));
    served.apply(await compileGatewayFile(file));
    const good = cache.getSnapshot("logs");
    gatewayFile("gateway", join(dir, "missing", "access.log"));
    served.apply(await compileGatewayFile(file));
    expect(cache.getSnapshot("logs")).toBe(good);
    const [status] = served.list();
    expect(status).toMatchObject({ upToDate: false, version: good!.version });
    expect(status!.diagnostics).toEqual([
      expect.objectContaining({ code: "PCL4077", severity: "error", path: ["audit", "accessLog"], location: expect.objectContaining({ file, line: 6, column: 14 }) }),
    ]);
    expect(status!.diagnostics[0]!.message).toContain(`its directory ${join(dir, "missing")} does not exist`);
  });

  it("only warn when the Envoys may run on other hosts (xDS served beyond loopback)", async () => {
    const { cache, registry: served } = registry(false);
    served.apply(await compileGatewayFile(gatewayFile("remote", join(dir, "missing", "access.log"))));
    expect(served.list()[0]!.diagnostics).toEqual([expect.objectContaining({ code: "PCL4077", severity: "warning" })]);
    expect(cache.getSnapshot("logs")).toBeDefined();
  });

  it("show on /status of a control plane on loopback", async () => {
    const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
    try {
      plane.configs.apply(await compileGatewayFile(gatewayFile("status", join(dir, "missing", "access.log"))));
      const body = (await (await fetch(`http://127.0.0.1:${plane.adminPort}/status`)).json()) as { gateways: { upToDate: boolean; diagnostics: { code: string; severity: string }[] }[] };
      expect(body.gateways[0]).toMatchObject({ upToDate: false, diagnostics: [{ code: "PCL4077", severity: "error" }] });
      expect((await fetch(`http://127.0.0.1:${plane.adminPort}/readyz`)).status).toBe(503);
    } finally {
      await plane.close();
    }
  });
});

describe("secret checks on every snapshot serve applies", () => {
  it("keep the last good snapshot when a rotated key does not match its certificate, with the finding located", async () => {
    const pki = createTestPki();
    try {
      const server = pki.issue("server", ["DNS:api.test"]);
      const other = pki.issue("other", ["DNS:api.test"]);
      const file = join(dir, "tls.yaml");
      const write = (keyFile: string) =>
        writeFileSync(
          file,
          [
            "gateway:",
            "  name: tls",
            "  listeners:",
            `    - name: web`,
            "      port: 18443",
            "      hostnames: [api.test]",
            `      tls: { certificate: { file: ${server.certFile} }, privateKey: { file: ${keyFile} } }`,
            ...PROVIDER_AND_API,
          ].join("\n"),
        );
      const { cache, registry: served } = registry(true);
      write(server.keyFile);
      served.apply(await compileGatewayFile(file));
      const good = cache.getSnapshot("tls");
      expect(good).toBeDefined();
      write(other.keyFile);
      served.apply(await compileGatewayFile(file));
      expect(cache.getSnapshot("tls")).toBe(good);
      expect(served.list()[0]!.diagnostics).toEqual([
        expect.objectContaining({ code: "PCL4074", severity: "error", path: ["gateway", "listeners", 0, "tls", "privateKey"], location: expect.objectContaining({ file, line: 7 }) }),
      ]);
    } finally {
      pki.remove();
    }
  });
});
