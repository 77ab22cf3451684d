import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { typeVersion } from "../../src/server/snapshot-cache.ts";
import { encodeCounter } from "../../src/server/wire.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import { gatewaySnapshot, manyRoutes } from "../support/snapshots.ts";

const bigSnapshot = (firstPath = "/r0") =>
  gatewaySnapshot({ listenerPort: 10000, routes: manyRoutes(200, "a").map((route, index) => (index === 0 ? { ...route, path: firstPath } : route)), clusters: [{ name: "a", port: 9001 }] });

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ log: silentLogger, processMetrics: false });
  cp.cache.setSnapshot("big", bigSnapshot());
});
afterAll(async () => cp.close());

async function subscribeClients(count: number): Promise<void> {
  const address = `127.0.0.1:${cp.xdsPort}`;
  const streams = Array.from({ length: count }, (_, index) => {
    const sotw = sotwStream(address);
    sotw.send({ node: { id: `s${index}`, cluster: "big" }, typeUrl: CLUSTER_TYPE_URL });
    sotw.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] });
    const delta = deltaStream(address);
    delta.send({ node: { id: `d${index}`, cluster: "big" }, typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNamesSubscribe: ["routes"] });
    return { sotw, delta };
  });
  for (const { sotw, delta } of streams) {
    const routes = await sotw.next((r) => r.typeUrl === ROUTE_CONFIGURATION_TYPE_URL);
    expect(routes.resources).toHaveLength(1);
    expect((await delta.next()).resources.map((r) => r.name)).toEqual(["routes"]);
  }
  for (const { sotw, delta } of streams) {
    sotw.close();
    delta.close();
  }
}

it("encodes each resource and response once, however many clients receive it", async () => {
  await subscribeClients(1);
  const afterOne = { ...encodeCounter };
  expect(afterOne.sotwBodies).toBeGreaterThan(0);
  await subscribeClients(20);
  expect(encodeCounter).toEqual(afterOne);
});

it("frames an edit's response once per protocol for 20 streams, and every stream's ACK of the shared nonce counts", async () => {
  const gateway = "fan-out";
  const address = `127.0.0.1:${cp.xdsPort}`;
  cp.cache.setSnapshot(gateway, bigSnapshot());
  const clients = 20;
  const sotw = Array.from({ length: clients }, (_, index) => {
    const stream = sotwStream(address);
    const subscribe = { typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] };
    stream.onResponse((response) => stream.send({ ...subscribe, versionInfo: response.versionInfo, responseNonce: response.nonce }));
    stream.send({ node: { id: `fan-s${index}`, cluster: gateway }, ...subscribe });
    return stream;
  });
  const delta = Array.from({ length: clients }, (_, index) => {
    const stream = deltaStream(address);
    stream.onResponse((response) => stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, responseNonce: response.nonce }));
    stream.send({ node: { id: `fan-d${index}`, cluster: gateway }, typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNamesSubscribe: ["routes"] });
    return stream;
  });
  for (const stream of [...sotw, ...delta]) await stream.next();
  const before = { ...encodeCounter };

  const edited = bigSnapshot("/edited");
  cp.cache.setSnapshot(gateway, edited);
  const version = typeVersion(edited, ROUTE_CONFIGURATION_TYPE_URL);
  const sotwNonces = new Set<string>();
  for (const stream of sotw) sotwNonces.add((await stream.next((response) => response.versionInfo === version)).nonce);
  for (const stream of delta) await stream.next((response) => response.systemVersionInfo === edited.version);

  // One route config, one SotW response and one Delta entry and response: not one per stream.
  expect({ anys: encodeCounter.anys - before.anys, sotwBodies: encodeCounter.sotwBodies - before.sotwBodies, deltaEntries: encodeCounter.deltaEntries - before.deltaEntries, frames: encodeCounter.frames - before.frames }).toEqual({
    anys: 1,
    sotwBodies: 1,
    deltaEntries: 1,
    frames: 2,
  });
  expect(sotwNonces.size).toBe(1);
  await vi.waitFor(() => expect(cp.nodes.ackedCount(ROUTE_CONFIGURATION_TYPE_URL, version)).toBe(clients));
  await vi.waitFor(() => expect(cp.nodes.ackedCount(ROUTE_CONFIGURATION_TYPE_URL, edited.version)).toBe(clients));
  for (const stream of [...sotw, ...delta]) stream.close();
});
