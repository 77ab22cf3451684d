// The foundation chain, end to end: a bootstrap built from the generated Envoy types, rendered to
// Envoy's JSON, accepted by `envoy --mode validate`, and then serving a real request.
import { create } from "@bufbuild/protobuf";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { Cluster_DiscoveryType, ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { SocketAddress_Protocol } from "../../generated/envoy/config/core/v3/address_pb.js";
import { RouterSchema } from "../../generated/envoy/extensions/filters/http/router/v3/router_pb.js";
import { HttpConnectionManagerSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { ENVOY_VERSION, envoyVersion, findEnvoy, validateBootstrap } from "../../src/envoy/binary.ts";
import { pack } from "../../src/envoy/any.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";

function socketAddress(port: number) {
  return { address: { case: "socketAddress" as const, value: { address: "127.0.0.1", portSpecifier: { case: "portValue" as const, value: port }, protocol: SocketAddress_Protocol.TCP } } };
}

function staticBootstrap(listenerPort: number, backendPort: number) {
  const hcm = create(HttpConnectionManagerSchema, {
    statPrefix: "smoke",
    routeSpecifier: {
      case: "routeConfig",
      value: {
        name: "smoke",
        virtualHosts: [{ name: "smoke", domains: ["*"], routes: [{ match: { pathSpecifier: { case: "prefix", value: "/" } }, action: { case: "route", value: { clusterSpecifier: { case: "cluster", value: "backend" } } } }] }],
      },
    },
    httpFilters: [{ name: "envoy.filters.http.router", configType: { case: "typedConfig", value: pack(RouterSchema, create(RouterSchema)) } }],
  });
  return create(BootstrapSchema, {
    node: { id: "smoke", cluster: "smoke" },
    staticResources: {
      listeners: [{ name: "smoke", address: socketAddress(listenerPort), filterChains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", configType: { case: "typedConfig", value: pack(HttpConnectionManagerSchema, hcm) } }] }] }],
      clusters: [
        create(ClusterSchema, {
          name: "backend",
          clusterDiscoveryType: { case: "type", value: Cluster_DiscoveryType.STATIC },
          connectTimeout: { seconds: 2n },
          loadAssignment: { clusterName: "backend", endpoints: [{ lbEndpoints: [{ hostIdentifier: { case: "endpoint", value: { address: socketAddress(backendPort) } } }] }] },
        }),
      ],
    },
  });
}

describe("Envoy and the generated API types", () => {
  let dir: string;
  let backend: TestBackend;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-smoke-"));
    backend = await startBackend("smoke-backend");
  });
  afterAll(async () => {
    await stopAllEnvoys();
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`runs Envoy ${ENVOY_VERSION}`, async () => {
    const version = await envoyVersion();
    console.log(`envoy --version: ${findEnvoy()} ${version}; tests run on Node ${process.version}`);
    expect(version).toBe(ENVOY_VERSION);
  });

  it("accepts a bootstrap built from the generated types, then proxies a real request", async () => {
    const listenerPort = await freePort();
    const bootstrap = toEnvoyJson(BootstrapSchema, staticBootstrap(listenerPort, backend.port)) as Record<string, unknown>;
    const path = join(dir, "valid.json");
    await writeFile(path, JSON.stringify(bootstrap));

    const verdict = await validateBootstrap(path);
    expect(verdict.message).not.toMatch(/error/i);
    expect(verdict.ok).toBe(true);

    await startEnvoy({ bootstrap });
    const response = await fetch(`http://127.0.0.1:${listenerPort}/hello?x=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ backend: "smoke-backend", path: "/hello?x=1" });
    expect(backend.received.at(-1)?.headers["x-forwarded-proto"]).toBe("http");
  });

  it("is rejected by envoy --mode validate when a route names a cluster that does not exist", async () => {
    const bootstrap = staticBootstrap(await freePort(), backend.port);
    bootstrap.staticResources!.clusters[0]!.name = "renamed";
    const path = join(dir, "invalid.json");
    await writeFile(path, JSON.stringify(toEnvoyJson(BootstrapSchema, bootstrap)));

    const verdict = await validateBootstrap(path);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(/route: unknown (weighted )?cluster 'backend'|cluster 'backend'/);
  });

  it("is rejected by envoy --mode validate when a field has the wrong type, naming the field", async () => {
    const path = join(dir, "typo.json");
    const bootstrap = toEnvoyJson(BootstrapSchema, staticBootstrap(await freePort(), backend.port)) as { static_resources: { clusters: Record<string, unknown>[] } };
    bootstrap.static_resources.clusters[0]!["connect_timeout"] = "soon";
    await writeFile(path, JSON.stringify(bootstrap));

    const verdict = await validateBootstrap(path);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(/connect_timeout|Duration/i);
  });
});
