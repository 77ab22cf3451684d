/**
 * Envoy logs a warning for every deprecated field in each config it loads, again on every xDS
 * push: dozens of lines per reload that bury real warnings, and fields that a later Envoy drops.
 * Our output uses none. Every golden case and example is loaded by real Envoy at warning level,
 * and a running Envoy served by the control plane logs no deprecation across two pushes.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readdirSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway, compileGatewayFile } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { findEnvoy } from "../../src/envoy/binary.ts";
import { toEnvoyJsonString } from "../../src/envoy/encode.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { eventually, get } from "../support/http-load.ts";
import { freePort } from "../support/ports.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const goldenDir = join(root, "test", "golden");
const configs = [
  ...readdirSync(goldenDir)
    .filter((name) => existsSync(join(goldenDir, name, "gateway.yaml")))
    .sort()
    .map((name) => join(goldenDir, name, "gateway.yaml")),
  join(root, "examples", "quickstart", "gateway.yaml"),
];
/** The golden cases' env secrets (see golden.test.ts). */
const ENV = { GOLDEN_TOKEN: "golden-token-value" };

/** Envoy's words for it: "Deprecated field: type ... Using deprecated option '...'". */
const deprecations = (log: string) => log.split("\n").filter((line) => /deprecated (field|option)/i.test(line));

/** Envoy's own log of loading the snapshot as a static bootstrap (validate mode: nothing binds). */
async function envoyLoadLog(snapshot: Snapshot): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "portcullis-envoy-load-"));
  try {
    const file = join(dir, "bootstrap.json");
    await writeFile(file, toEnvoyJsonString(BootstrapSchema, buildStaticBootstrap(snapshot)), { mode: 0o600 });
    const { stdout, stderr } = await promisify(execFile)(findEnvoy(), ["--mode", "validate", "-c", file, "-l", "warning"], { maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let plane: ControlPlane;

afterAll(async () => {
  await stopAllEnvoys();
  await plane?.close();
});

describe("no deprecated Envoy fields in our output", () => {
  it("loading any golden case or example logs no deprecation", { timeout: 120_000 }, async () => {
    const pending = [...configs];
    const found: string[] = [];
    // Two at a time: the machine has two cores.
    const worker = async () => {
      for (let file = pending.shift(); file; file = pending.shift()) {
        const { snapshot, diagnostics } = await compileGatewayFile(file, { env: ENV });
        expect(diagnostics.filter((d) => d.severity === "error"), file).toEqual([]);
        found.push(...deprecations(await envoyLoadLog(snapshot!)).map((line) => `${file}: ${line}`));
      }
    };
    await Promise.all([worker(), worker()]);
    expect(found).toEqual([]);
  });

  describe("a running Envoy fed by the control plane", () => {
    let listenerPort = 0;

    /** JWT rules with scopes and roles: what RBAC reads from the verified token's metadata. */
    function gateway(probePath: string): GatewayConfig {
      return {
        gateway: { name: "deprecations", listeners: [{ name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["127.0.0.1"] }] },
        identities: { staff: { type: "jwt", issuer: "https://auth.test/", jwks: { url: "https://auth.test/jwks.json" }, claims: { roles: "realm_access.roles" } } },
        providers: { app: { type: "service", endpoints: ["127.0.0.1:9"], plaintext: { reason: "never called: the test only needs routes" } } },
        apis: [
          {
            name: "shop",
            owner: "test",
            basePath: "/shop",
            versions: {
              v1: {
                state: "published",
                routes: [
                  { name: "admin", match: { prefix: "/admin" }, provider: "app", access: { allow: [{ identity: "staff", scopes: ["shop.admin"], roles: ["admin"] }, { identity: "staff", clientCidrs: ["10.0.0.0/8"] }] } },
                  { name: "probe", match: { path: probePath }, provider: "app", access: { public: { reason: "tells the test a push was applied" } } },
                ],
              },
            },
          },
        ],
      };
    }

    function push(probePath: string) {
      const { snapshot, diagnostics } = compileGateway(gateway(probePath));
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      plane.configs.apply({ file: "deprecations.yaml", gateway: "deprecations", diagnostics: [], snapshot: snapshot! });
    }

    beforeAll(async () => {
      listenerPort = await freePort();
      plane = await startControlPlane({ xdsPort: 0, adminPort: null, log: silentLogger, processMetrics: false });
    });

    it("logs no deprecation on the first push or the next", async () => {
      push("/first");
      const envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "edge", cluster: "deprecations", xdsPort: plane.xdsPort }) as Record<string, unknown>, waitFor: "admin", logLevel: "warning" });
      // A route that answers means Envoy took the listener and the routes (503: the backend is not there).
      await eventually(() => get(listenerPort, "/v1/shop/first"), (r) => r.status === 503, "first push applied");
      push("/second");
      await eventually(() => get(listenerPort, "/v1/shop/second"), (r) => r.status === 503, "second push applied");
      expect((await get(listenerPort, "/v1/shop/admin/users")).status).toBe(401);
      expect(deprecations(envoy.output())).toEqual([]);
    });
  });
});
