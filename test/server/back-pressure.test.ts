/**
 * Back-pressure on ADS streams: a client that stops reading holds at most one unsent response per
 * type on the server however many snapshots go by (the server's memory for it stays bounded),
 * other clients keep receiving every update, and when it reads again it gets the latest state,
 * not every version it missed. Real gRPC clients over HTTP/2, whose flow control stops the server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { transitionalSnapshot, typeVersion } from "../../src/server/snapshot-cache.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import { clusterResource, gatewaySnapshot, resourceFromJson } from "../support/snapshots.ts";

const ROUTES = 3000;
/** More than the 16 responses grpc-js's client buffers before it stops reading from HTTP/2. */
const EDITS = 40;
const padding = "x".repeat(100);

/**
 * A route table of about 400 KB — far over HTTP/2's 64 KB stream window, so a client that stops
 * reading stops the server in the middle of one response — after `edit` one-route edits.
 */
function snapshotAt(edit: number): Snapshot {
  const routes = Array.from({ length: ROUTES }, (_, index) => ({ path: `/r${index}/${padding}${index === 0 ? `/${edit}` : ""}`, cluster: "a" }));
  return gatewaySnapshot({ listenerPort: 10000, routes, clusters: [{ name: "a", port: 9 }] });
}

const routesVersion = (snapshot: Snapshot) => typeVersion(snapshot, ROUTE_CONFIGURATION_TYPE_URL);
const routesResourceVersion = (snapshot: Snapshot) => snapshot.resources.get(ROUTE_CONFIGURATION_TYPE_URL)!.get("routes")!.version;

/**
 * What a client that stopped reading got: versions in order, then (once it reads again) the latest
 * right after the one that was stuck — the versions in between were never queued for it.
 */
function expectSkippedToLatest(received: readonly string[], versions: readonly string[]): void {
  const positions = received.map((version) => versions.indexOf(version));
  expect(positions.slice(0, -1)).toEqual(positions.slice(0, -1).map((_, index) => index)); // in order up to the stuck one
  expect(positions.at(-1)).toBe(versions.length - 1);
  expect(received.length).toBeLessThan(versions.length);
}

let plane: ControlPlane;
beforeAll(async () => {
  plane = await startControlPlane({ log: silentLogger, processMetrics: false });
});
afterAll(async () => plane.close());

async function gauge(name: "unwritten" | "deferred", mode: string): Promise<number> {
  const { values } = await plane.metrics[name].get();
  return values.find((value) => value.labels.type === "RouteConfiguration" && value.labels.mode === mode)?.value ?? 0;
}

describe("a client that stops reading", () => {
  it("over SotW: is owed one response per type, others get every update, and it gets the latest when it reads again", async () => {
    const gateway = "bp-sotw";
    const address = `127.0.0.1:${plane.xdsPort}`;
    plane.cache.setSnapshot(gateway, snapshotAt(0));
    const subscribe = { typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] };
    const slow = sotwStream(address);
    const fast = sotwStream(address);
    for (const [stream, id] of [[slow, "slow-sotw"], [fast, "fast-sotw"]] as const) {
      stream.onResponse((response) => stream.send({ ...subscribe, versionInfo: response.versionInfo, responseNonce: response.nonce }));
      stream.send({ node: { id, cluster: gateway }, ...subscribe });
      await stream.next();
    }
    slow.pause();

    const versions = [routesVersion(snapshotAt(0))];
    for (let edit = 1; edit <= EDITS; edit++) {
      const snapshot = snapshotAt(edit);
      plane.cache.setSnapshot(gateway, snapshot);
      versions.push(routesVersion(snapshot));
      await fast.next((response) => response.versionInfo === versions[edit]);
    }
    // The slow stream holds one response its client does not take; the later edits wait as one
    // deferred type instead of queueing.
    const whilePaused = { unwritten: await gauge("unwritten", "sotw"), deferred: await gauge("deferred", "sotw") };

    slow.resume();
    await slow.next((response) => response.versionInfo === versions[EDITS], 10_000);
    expect(fast.responses.map((response) => response.versionInfo)).toEqual(versions);
    expectSkippedToLatest(slow.responses.map((response) => response.versionInfo), versions);
    expect(whilePaused).toEqual({ unwritten: 1, deferred: 1 });
    // Its ACK of the latest (shared-nonce) response is recognised: both nodes converge.
    await vi.waitFor(() => expect(plane.nodes.get("slow-sotw")?.acked.RouteConfiguration).toBe(versions[EDITS]));
    await vi.waitFor(() => expect(plane.nodes.get("fast-sotw")?.acked.RouteConfiguration).toBe(versions[EDITS]));
    expect(await gauge("unwritten", "sotw")).toBe(0);
    expect(await gauge("deferred", "sotw")).toBe(0);
    slow.close();
    fast.close();
  });

  it("over Delta: the same, with the resource's latest version", async () => {
    const gateway = "bp-delta";
    const address = `127.0.0.1:${plane.xdsPort}`;
    plane.cache.setSnapshot(gateway, snapshotAt(0));
    const slow = deltaStream(address);
    const fast = deltaStream(address);
    for (const [stream, id] of [[slow, "slow-delta"], [fast, "fast-delta"]] as const) {
      stream.onResponse((response) => stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, responseNonce: response.nonce }));
      stream.send({ node: { id, cluster: gateway }, typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNamesSubscribe: ["routes"] });
      await stream.next();
    }
    slow.pause();

    const versions = [routesResourceVersion(snapshotAt(0))];
    let latest = "";
    const carries = (version: string | undefined) => (response: { resources: { version: string }[] }) => response.resources[0]?.version === version;
    for (let edit = 1; edit <= EDITS; edit++) {
      const snapshot = snapshotAt(edit);
      plane.cache.setSnapshot(gateway, snapshot);
      latest = snapshot.version;
      versions.push(routesResourceVersion(snapshot));
      await fast.next(carries(versions[edit]));
    }
    const whilePaused = { unwritten: await gauge("unwritten", "delta"), deferred: await gauge("deferred", "delta") };

    slow.resume();
    await slow.next(carries(versions[EDITS]), 10_000);
    expect(fast.responses.map((response) => response.resources[0]?.version)).toEqual(versions);
    expectSkippedToLatest(slow.responses.map((response) => response.resources[0]?.version ?? ""), versions);
    expect(whilePaused).toEqual({ unwritten: 1, deferred: 1 });
    await vi.waitFor(() => expect(plane.nodes.get("slow-delta")?.acked.RouteConfiguration).toBe(latest));
    await vi.waitFor(() => expect(plane.nodes.get("fast-delta")?.acked.RouteConfiguration).toBe(latest));
    expect(await gauge("unwritten", "delta")).toBe(0);
    expect(await gauge("deferred", "delta")).toBe(0);
    slow.close();
    fast.close();
  });
});

describe("make-before-break with a client that stops reading", () => {
  const pads = Array.from({ length: 500 }, (_, index) => clusterResource(`pad${index}-${padding}`));
  /** About 100 KB of clusters, `a`'s timeout set by `edit` so each edit changes them; routes to `routeTo`. */
  const snapshotOf = (edit: number, routeTo: "a" | "b") =>
    gatewaySnapshot({
      listenerPort: 10000,
      routes: [{ path: "/x", cluster: routeTo }],
      clusters: routeTo === "b" ? [{ name: "b", port: 9 }] : [],
      extra: [...pads, ...(routeTo === "a" ? [resourceFromJson(ClusterSchema, "a", { name: "a", type: "STATIC", connect_timeout: `${edit + 1}s` })] : [])],
    });

  it("removes a cluster only after the routes that stopped using it, though their response was deferred", async () => {
    const gateway = "bp-transition";
    plane.cache.setSnapshot(gateway, snapshotOf(0, "a"));
    const client = sotwStream(`127.0.0.1:${plane.xdsPort}`);
    const names: Record<string, string[]> = { [CLUSTER_TYPE_URL]: [], [ROUTE_CONFIGURATION_TYPE_URL]: ["routes"] };
    client.onResponse((response) => client.send({ typeUrl: response.typeUrl, resourceNames: names[response.typeUrl] ?? [], versionInfo: response.versionInfo, responseNonce: response.nonce }));
    client.send({ node: { id: "stuck-transition", cluster: gateway }, typeUrl: CLUSTER_TYPE_URL });
    client.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] });
    await vi.waitFor(() => expect(Object.keys(plane.nodes.get("stuck-transition")?.acked ?? {}).sort()).toEqual(["Cluster", "RouteConfiguration"]));
    client.pause();

    // Cluster edits the client does not read: one stays unwritten, the rest are deferred.
    let previous = snapshotOf(0, "a");
    for (let edit = 1; edit <= EDITS; edit++) plane.cache.setSnapshot(gateway, (previous = snapshotOf(edit, "a")));
    // Then routes move to b and a goes. The routes response cannot go out yet either; cluster a
    // must stay until the node has them, or its routes would point at a cluster it no longer has.
    const target = snapshotOf(EDITS + 1, "b");
    plane.cache.setSnapshot(gateway, target);
    const routesToB = typeVersion(target, ROUTE_CONFIGURATION_TYPE_URL);
    const clustersWithoutA = typeVersion(target, CLUSTER_TYPE_URL);
    expect(typeVersion(transitionalSnapshot(previous, target), CLUSTER_TYPE_URL)).not.toBe(clustersWithoutA);

    client.resume();
    await client.next((response) => response.versionInfo === clustersWithoutA, 10_000);
    const order = client.responses.map((response) => response.versionInfo);
    expect(order.indexOf(routesToB)).toBeGreaterThan(-1);
    expect(order.indexOf(routesToB)).toBeLessThan(order.indexOf(clustersWithoutA));
    client.close();
  });
});
