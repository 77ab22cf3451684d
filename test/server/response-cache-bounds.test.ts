/**
 * The per-snapshot response caches stay bounded when clients choose what they ask: SotW
 * subscriptions (name sets) and Delta change sets are kept for reuse, but a client cycling through
 * endless variations makes the oldest go, not the cache grow.
 */
import { describe, expect, it } from "vitest";
import { ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { deltaSnapshotResponse, sotwResponse } from "../../src/server/snapshot-cache.ts";
import { gatewaySnapshot, manyRoutes } from "../support/snapshots.ts";

const snapshot = gatewaySnapshot({ listenerPort: 10000, routes: manyRoutes(2, "a"), clusters: [{ name: "a", port: 9001 }] });
const routes = [...snapshot.resources.get(ROUTE_CONFIGURATION_TYPE_URL)!.values()];

describe("response caches per snapshot", () => {
  it("share a SotW response by subscription, and drop the oldest beyond their bound", () => {
    const first = sotwResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, false, new Set(["routes", "n0"]));
    expect(sotwResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, false, new Set(["n0", "routes"]))).toBe(first);
    for (let i = 1; i <= 1_000; i++) sotwResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, false, new Set(["routes", `n${i}`]));
    const recent = sotwResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, false, new Set(["routes", "n1000"]));
    expect(sotwResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, false, new Set(["routes", "n1000"]))).toBe(recent);
    const again = sotwResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, false, new Set(["routes", "n0"]));
    expect(again).not.toBe(first);
    expect(again.response.message.equals(first.response.message)).toBe(false); // same body, a newer nonce
    expect(again.names).toEqual(first.names);
  });

  it("share a Delta response by change set, and drop the oldest beyond their bound", () => {
    const first = deltaSnapshotResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, routes, ["gone-0"]);
    expect(deltaSnapshotResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, routes, ["gone-0"])).toBe(first);
    for (let i = 1; i <= 1_000; i++) deltaSnapshotResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, routes, [`gone-${i}`]);
    expect(deltaSnapshotResponse(snapshot, ROUTE_CONFIGURATION_TYPE_URL, routes, ["gone-0"])).not.toBe(first);
  });
});
