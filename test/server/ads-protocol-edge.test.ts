/**
 * xDS protocol edge cases found in review: requests that re-use an already-ACKed nonce, delta
 * subscriptions to missing or already-sent resources, and one node id on two streams.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import { endpointsResource, gatewaySnapshot, routeConfigResource } from "../support/snapshots.ts";

let cp: ControlPlane;
let address: string;
const base = { listenerPort: 10000, routes: [{ path: "/a", cluster: "a" }], clusters: [{ name: "a", port: 9001 }] };
const withSecondRoutes = { ...base, extra: [routeConfigResource("routes-2", [{ path: "/b", cluster: "a" }])] };

beforeAll(async () => {
  cp = await startControlPlane({ log: silentLogger, processMetrics: false });
  address = `127.0.0.1:${cp.xdsPort}`;
});
afterAll(async () => cp.close());

const routeNames = (resources: { typeUrl: string; value: Uint8Array }[]) =>
  resources.map((any) => anyUnpack(any as never, RouteConfigurationSchema)?.name).sort();

describe("state-of-the-world subscription changes", () => {
  it("answers a new subscription sent with the nonce of an already-ACKed response", async () => {
    cp.cache.setSnapshot("sotw-resub", gatewaySnapshot(withSecondRoutes));
    const stream = sotwStream(address);
    try {
      stream.send({ node: { id: "resub", cluster: "sotw-resub" }, typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] });
      const first = await stream.next();
      expect(routeNames(first.resources)).toEqual(["routes"]);
      stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"], versionInfo: first.versionInfo, responseNonce: first.nonce });
      // Envoy repeats the latest nonce it has when a new listener makes it subscribe to more routes.
      stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes", "routes-2"], versionInfo: first.versionInfo, responseNonce: first.nonce });
      expect(routeNames((await stream.next()).resources)).toEqual(["routes", "routes-2"]);
    } finally {
      stream.close();
    }
  });

  it("answers a stream's first request of a type even if it carries a nonce from an earlier stream", async () => {
    cp.cache.setSnapshot("sotw-resub", gatewaySnapshot(withSecondRoutes));
    const stream = sotwStream(address);
    try {
      stream.send({ node: { id: "reconnect", cluster: "sotw-resub" }, typeUrl: CLUSTER_TYPE_URL, versionInfo: "old", responseNonce: "earlier-stream" });
      expect((await stream.next()).typeUrl).toBe(CLUSTER_TYPE_URL);
    } finally {
      stream.close();
    }
  });
});

describe("delta subscriptions", () => {
  it("reports a subscribed name that does not exist in removed_resources, and sends it once it appears", async () => {
    cp.cache.setSnapshot("delta-missing", gatewaySnapshot(base));
    const stream = deltaStream(address);
    try {
      stream.send({ node: { id: "missing", cluster: "delta-missing" }, typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNamesSubscribe: ["a", "ghost"] });
      const first = await stream.next();
      expect(first.resources.map((r) => r.name)).toEqual(["a"]);
      expect(first.removedResources).toEqual(["ghost"]);
      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, responseNonce: first.nonce });
      cp.cache.setSnapshot("delta-missing", gatewaySnapshot({ ...base, extra: [endpointsResource("ghost", 9009)] }));
      const appeared = await stream.next();
      expect(appeared.resources.map((r) => r.name)).toEqual(["ghost"]);
      expect(appeared.removedResources).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it("sends a resource again when the client subscribes to it again", async () => {
    cp.cache.setSnapshot("delta-again", gatewaySnapshot(base));
    const stream = deltaStream(address);
    try {
      stream.send({ node: { id: "again", cluster: "delta-again" }, typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNamesSubscribe: ["a"] });
      const first = await stream.next();
      expect(first.resources.map((r) => r.name)).toEqual(["a"]);
      // The client may have forgotten a resource while staying subscribed; the spec says send it.
      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, responseNonce: first.nonce, resourceNamesSubscribe: ["a"] });
      expect((await stream.next()).resources.map((r) => r.name)).toEqual(["a"]);
    } finally {
      stream.close();
    }
  });
});

describe("one node id on two streams", () => {
  it("records ACKs and NACKs only from the stream the status describes", async () => {
    cp.cache.setSnapshot("twin-old", gatewaySnapshot(base));
    cp.cache.setSnapshot("twin-new", gatewaySnapshot(withSecondRoutes));
    const older = sotwStream(address);
    const newer = sotwStream(address);
    try {
      older.send({ node: { id: "twin", cluster: "twin-old" }, typeUrl: CLUSTER_TYPE_URL });
      const oldCds = await older.next();
      newer.send({ node: { id: "twin", cluster: "twin-new" }, typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] });
      const newRds = await newer.next();
      older.send({ typeUrl: CLUSTER_TYPE_URL, responseNonce: oldCds.nonce, errorDetail: { code: 3, message: "old process" } });
      // Requests on a stream are handled in order: once this is answered, the NACK was handled.
      older.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNames: ["a"] });
      await older.next();
      newer.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"], versionInfo: newRds.versionInfo, responseNonce: newRds.nonce });
      await expect.poll(() => cp.nodes.get("twin")?.acked["RouteConfiguration"]).toBe(newRds.versionInfo);
      const status = cp.nodes.get("twin");
      expect(status?.gateway).toBe("twin-new");
      expect(status?.lastNack).toBeUndefined();
    } finally {
      older.close();
      newer.close();
    }
  });
});
