/**
 * The xDS channel under mTLS: no client certificate or a certificate outside the allow-list gets
 * no resources; an allowed gRPC client and a real Envoy (bootstrap with client TLS) get config.
 */
import { readFileSync } from "node:fs";
import { credentials, status as GrpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { parseAllowList } from "../../src/server/peer-identity.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { sotwStream } from "../support/ads-client.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { eventually, get } from "../support/http-load.ts";
import { freePort } from "../support/ports.ts";
import { gatewaySnapshot } from "../support/snapshots.ts";

const ALLOWED = "spiffe://portcullis.test/envoy/edge";
let pki: TestPki;
let cp: ControlPlane;
let backend: TestBackend;
let listenerPort: number;
let address: string;

beforeAll(async () => {
  pki = createTestPki();
  const server = pki.issue("xds-server", ["IP:127.0.0.1", "DNS:localhost"]);
  backend = await startBackend("secure");
  listenerPort = await freePort();
  cp = await startControlPlane({
    log: silentLogger,
    processMetrics: false,
    tls: { certFile: server.certFile, keyFile: server.keyFile, clientCaFile: pki.caFile, allowSpiffe: [ALLOWED] },
  });
  cp.cache.setSnapshot("secure", gatewaySnapshot({ listenerPort, routes: [{ path: "/s", cluster: "s" }], clusters: [{ name: "s", port: backend.port }] }));
  address = `127.0.0.1:${cp.xdsPort}`;
});

afterAll(async () => {
  await stopAllEnvoys();
  await cp.close();
  await backend.close();
  pki.remove();
});

function clientCredentials(cert?: { certFile: string; keyFile: string }) {
  const ca = readFileSync(pki.caFile);
  return cert ? credentials.createSsl(ca, readFileSync(cert.keyFile), readFileSync(cert.certFile)) : credentials.createSsl(ca);
}

/** What the first request of a stream gets: resources, or the call's end status. */
async function firstOutcome(cert?: { certFile: string; keyFile: string }, gateway = "secure", to = address) {
  const stream = sotwStream(to, clientCredentials(cert));
  stream.send({ node: { id: "probe", cluster: gateway }, typeUrl: CLUSTER_TYPE_URL });
  const outcome = await Promise.race([stream.next().then(() => "resources" as const), stream.ended]);
  stream.close();
  return outcome;
}

it("serves no resources to a client without a certificate", async () => {
  const outcome = await firstOutcome();
  expect(outcome).not.toBe("resources");
  expect(outcome).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
});

it("serves no resources to a certificate from the CA whose SPIFFE ID is not allowed", async () => {
  const outcome = await firstOutcome(pki.issue("intruder", ["URI:spiffe://portcullis.test/envoy/intruder"]));
  expect(outcome).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
});

it("serves an allowed client, and a real Envoy whose bootstrap carries the client TLS config", async () => {
  const edge = pki.issue("edge", [`URI:${ALLOWED}`]);
  expect(await firstOutcome(edge)).toBe("resources");

  const bootstrap = adsBootstrap({
    nodeId: "secure-edge",
    cluster: "secure",
    xdsPort: cp.xdsPort,
    tls: { ...edge, caFile: pki.caFile },
  });
  await startEnvoy({ bootstrap: bootstrap as Record<string, unknown> });
  const served = await eventually(() => get(listenerPort, "/s"), (reply) => reply.status === 200, "Envoy to get its config over mTLS");
  expect(served.status).toBe(200);
});

describe("identities bound to gateways (--allow-spiffe ID=GATEWAY)", () => {
  const BOUND = "spiffe://portcullis.test/envoy/shop-edge";
  let bound: ControlPlane;
  let boundAddress: string;

  beforeAll(async () => {
    const server = pki.issue("xds-server-bound", ["IP:127.0.0.1", "DNS:localhost"]);
    const { identities, gatewaysOf } = parseAllowList([`${BOUND}=shop`, ALLOWED]);
    bound = await startControlPlane({
      log: silentLogger,
      processMetrics: false,
      adminPort: null,
      tls: { certFile: server.certFile, keyFile: server.keyFile, clientCaFile: pki.caFile, allowSpiffe: identities, gatewaysOf },
    });
    for (const gateway of ["shop", "secure"]) bound.cache.setSnapshot(gateway, gatewaySnapshot({ listenerPort, routes: [{ path: "/s", cluster: "s" }], clusters: [{ name: "s", port: backend.port }] }));
    boundAddress = `127.0.0.1:${bound.xdsPort}`;
  });
  afterAll(() => bound.close());

  it("serves a bound identity its own gateway", async () => {
    expect(await firstOutcome(pki.issue("shop-edge", [`URI:${BOUND}`]), "shop", boundAddress)).toBe("resources");
  });

  it("refuses a bound identity that claims another gateway's node.cluster", async () => {
    expect(await firstOutcome(pki.issue("shop-edge-2", [`URI:${BOUND}`]), "secure", boundAddress)).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
  });

  it("still serves an unbound allowed identity any gateway", async () => {
    expect(await firstOutcome(pki.issue("edge-any", [`URI:${ALLOWED}`]), "shop", boundAddress)).toBe("resources");
  });
});
