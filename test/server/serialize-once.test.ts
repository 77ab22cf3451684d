import { afterAll, beforeAll, expect, it } from "vitest";
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { encodeCounter } from "../../src/server/wire.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import { gatewaySnapshot, manyRoutes } from "../support/snapshots.ts";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ log: silentLogger, processMetrics: false });
  cp.cache.setSnapshot("big", gatewaySnapshot({ listenerPort: 10000, routes: manyRoutes(200, "a"), clusters: [{ name: "a", port: 9001 }] }));
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
