/**
 * How NACKs read on /status and how pushes are ordered so a rejected snapshot is never applied in
 * part (the real-Envoy side is test/e2e/nack-rollback.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL, SCOPED_ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { cleanNackMessage, rejectedResources } from "../../src/server/nack-detail.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { gatewaySnapshot, resourceFromJson } from "../support/snapshots.ts";

describe("NACK messages on /status", () => {
  it("drops the proto dump that validation errors append, keeping the reason", () => {
    const dump = `name: "routes" virtual_hosts { name: "all" domains: "*" routes { match { prefix: "/" } ${"route { cluster: \"a\" } ".repeat(200)}}`;
    const message = `Proto constraint validation failed (RouteConfigurationValidationError.VirtualHosts[0]: embedded message failed validation | caused by VirtualHostValidationError.Name: value length must be at least 1 characters): ${dump}`;
    expect(cleanNackMessage(message)).toBe(
      "Proto constraint validation failed (RouteConfigurationValidationError.VirtualHosts[0]: embedded message failed validation | caused by VirtualHostValidationError.Name: value length must be at least 1 characters)",
    );
  });

  it("puts several lines on one, and cuts a long message at a word", () => {
    expect(cleanNackMessage("Error adding/updating listener(s) a: bad thing\nb: other thing\n")).toBe("Error adding/updating listener(s) a: bad thing; b: other thing");
    const long = cleanNackMessage(`cannot do it ${"because reasons ".repeat(100)}`);
    expect(long.length).toBeLessThanOrEqual(502);
    expect(long).toMatch(/^cannot do it (because reasons )+(because )?…$/);
  });

  it("names the resources Envoy's message names, or the only one sent", () => {
    expect(rejectedResources("Error adding/updating listener(s) public: cannot bind", ["mesh", "public"])).toEqual(["public"]);
    expect(rejectedResources("Error adding/updating listener(s) a: x\nmesh: y", ["a", "mesh", "public"])).toEqual(["a", "mesh"]);
    expect(rejectedResources("missing ): (unclosed", ["routes"])).toEqual(["routes"]);
    expect(rejectedResources("something failed", ["a", "b"])).toEqual([]);
  });
});

describe("push order", () => {
  let cp: ControlPlane;
  const base = { listenerPort: 10000, routes: [{ path: "/a", cluster: "a" }], clusters: [{ name: "a", port: 9001 }] };
  beforeAll(async () => {
    cp = await startControlPlane({ adminPort: null, log: silentLogger, processMetrics: false });
  });
  afterAll(async () => cp.close());

  /**
   * A node subscribed to `subscriptions` (each answered and ACKed) is served `next`, whose listeners
   * changed: the listeners go out, `held` waits until the node answers them.
   */
  async function heldUntilListenersAnswered(gateway: string, first: Snapshot, subscriptions: [string, string[]][], next: Snapshot, held: string) {
    cp.cache.setSnapshot(gateway, first);
    const stream = sotwStream(`127.0.0.1:${cp.xdsPort}`);
    try {
      for (const [index, [typeUrl, resourceNames]] of subscriptions.entries()) {
        stream.send({ ...(index === 0 ? { node: { id: `${gateway}-1`, cluster: gateway } } : {}), typeUrl, resourceNames });
        const response = await stream.next((r) => r.typeUrl === typeUrl);
        stream.send({ typeUrl, resourceNames, versionInfo: response.versionInfo, responseNonce: response.nonce });
      }
      cp.cache.setSnapshot(gateway, next);
      const listeners = await stream.next();
      expect(listeners.typeUrl).toBe(LISTENER_TYPE_URL);
      // A barrier: requests are handled in order, so the EDS answer comes after anything sent before it.
      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNames: ["a", "b"] });
      expect((await stream.next()).typeUrl).toBe(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
      stream.send({ typeUrl: LISTENER_TYPE_URL, versionInfo: listeners.versionInfo, responseNonce: listeners.nonce });
      const released = await stream.next();
      expect(released.typeUrl).toBe(held);
      return released;
    } finally {
      stream.close();
    }
  }

  it("sends a snapshot's route configs only after the node answered its listeners (SotW)", async () => {
    const subscriptions: [string, string[]][] = [[CLUSTER_TYPE_URL, []], [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, ["a"]], [LISTENER_TYPE_URL, []], [ROUTE_CONFIGURATION_TYPE_URL, ["routes"]]];
    // A new listener port and a new route.
    const next = gatewaySnapshot({ ...base, listenerPort: 10001, routes: [...base.routes, { path: "/b", cluster: "a" }] });
    await heldUntilListenersAnswered("order", gatewaySnapshot(base), subscriptions, next, ROUTE_CONFIGURATION_TYPE_URL);
  });

  it("sends a snapshot's route scopes only after the node answered its listeners (SotW)", async () => {
    const scope = (key: string) => resourceFromJson(ScopedRouteConfigurationSchema, `scope-${key}`, { name: `scope-${key}`, route_configuration_name: "routes", key: { fragments: [{ string_key: key }] } });
    const subscriptions: [string, string[]][] = [[CLUSTER_TYPE_URL, []], [LISTENER_TYPE_URL, []], [SCOPED_ROUTE_CONFIGURATION_TYPE_URL, []]];
    // A new listener port and a new scope.
    const next = gatewaySnapshot({ ...base, listenerPort: 10001, extra: [scope("a"), scope("b")] });
    const scopes = await heldUntilListenersAnswered("scoped-order", gatewaySnapshot({ ...base, extra: [scope("a")] }), subscriptions, next, SCOPED_ROUTE_CONFIGURATION_TYPE_URL);
    expect(scopes.resources).toHaveLength(2);
  });

  it("never sends the routes of a snapshot whose listeners the node rejected, and reverts it (Delta)", async () => {
    const first = gatewaySnapshot(base);
    cp.cache.setSnapshot("rollback", first);
    const stream = deltaStream(`127.0.0.1:${cp.xdsPort}`);
    try {
      const ack = async (typeUrl: string) => {
        const response = await stream.next((r) => r.typeUrl === typeUrl);
        stream.send({ typeUrl, responseNonce: response.nonce });
        return response;
      };
      stream.send({ node: { id: "n2", cluster: "rollback" }, typeUrl: CLUSTER_TYPE_URL });
      await ack(CLUSTER_TYPE_URL);
      stream.send({ typeUrl: LISTENER_TYPE_URL });
      const firstListeners = await ack(LISTENER_TYPE_URL);
      stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNamesSubscribe: ["routes"] });
      await ack(ROUTE_CONFIGURATION_TYPE_URL);
      expect(cp.nodes.get("n2")?.servingSnapshot).toBe(first.version);

      const second = gatewaySnapshot({ ...base, listenerPort: 10002, routes: [...base.routes, { path: "/b", cluster: "a" }] });
      cp.cache.setSnapshot("rollback", second);
      const listeners = await stream.next();
      expect(listeners.typeUrl).toBe(LISTENER_TYPE_URL);
      stream.send({ typeUrl: LISTENER_TYPE_URL, responseNonce: listeners.nonce, errorDetail: { code: 3, message: "Error adding/updating listener(s) http: no good\n" } });
      // The revert: the listener as the node accepted it before; no route config of the rejected snapshot.
      const reverted = await stream.next();
      expect(reverted.typeUrl).toBe(LISTENER_TYPE_URL);
      expect(reverted.resources.map((r) => r.version)).toEqual(firstListeners.resources.map((r) => r.version));
      stream.send({ typeUrl: LISTENER_TYPE_URL, responseNonce: reverted.nonce });
      stream.send({ typeUrl: CLUSTER_TYPE_URL, resourceNamesSubscribe: ["a"] });
      expect((await stream.next()).typeUrl).toBe(CLUSTER_TYPE_URL);
      expect(stream.responses.filter((r) => r.typeUrl === ROUTE_CONFIGURATION_TYPE_URL)).toHaveLength(1);
      expect(cp.nodes.get("n2")).toMatchObject({
        servingSnapshot: first.version,
        lastNack: { type: "Listener", snapshot: second.version, revertedTo: first.version, resources: [{ name: "http" }], message: "Error adding/updating listener(s) http: no good" },
      });
    } finally {
      stream.close();
    }
  });

  it("keeps a reconnected node's routes when it rejects the listeners of the snapshot it reconnects to", async () => {
    cp.cache.setSnapshot("reconnect", gatewaySnapshot(base));
    const stream = sotwStream(`127.0.0.1:${cp.xdsPort}`);
    try {
      // The node ran a config on an earlier stream: its first requests carry the versions it has.
      stream.send({ node: { id: "n3", cluster: "reconnect" }, typeUrl: CLUSTER_TYPE_URL, versionInfo: "from-before" });
      const clusters = await stream.next();
      stream.send({ typeUrl: CLUSTER_TYPE_URL, versionInfo: clusters.versionInfo, responseNonce: clusters.nonce });
      stream.send({ typeUrl: LISTENER_TYPE_URL, versionInfo: "from-before" });
      const listeners = await stream.next();
      expect(listeners.typeUrl).toBe(LISTENER_TYPE_URL);
      stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"], versionInfo: "from-before" });
      stream.send({ typeUrl: LISTENER_TYPE_URL, responseNonce: listeners.nonce, versionInfo: "from-before", errorDetail: { code: 3, message: "no good" } });
      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNames: ["a"] });
      expect((await stream.next()).typeUrl).toBe(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
      expect(stream.responses.map((r) => r.typeUrl)).not.toContain(ROUTE_CONFIGURATION_TYPE_URL);
      expect(cp.nodes.get("n3")?.lastNack).toMatchObject({ type: "Listener", resources: [{ name: "http" }] });
      expect(cp.nodes.get("n3")?.lastNack?.revertedTo).toBeUndefined();
      // The next snapshot is served in full.
      cp.cache.setSnapshot("reconnect", gatewaySnapshot({ ...base, routes: [...base.routes, { path: "/c", cluster: "a" }] }));
      expect((await stream.next((r) => r.typeUrl === ROUTE_CONFIGURATION_TYPE_URL)).resources).toHaveLength(1);
    } finally {
      stream.close();
    }
  });
});
