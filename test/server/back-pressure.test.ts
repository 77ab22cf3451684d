/**
 * Back-pressure on ADS streams: a client that stops reading holds at most one unsent response per
 * type on the server however many snapshots go by (the server's memory for it stays bounded),
 * other clients keep receiving every update, and when it reads again it gets the latest state,
 * not every version it missed. Real gRPC clients over HTTP/2, whose flow control stops the server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { typeVersion } from "../../src/server/snapshot-cache.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import { gatewaySnapshot } from "../support/snapshots.ts";

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
