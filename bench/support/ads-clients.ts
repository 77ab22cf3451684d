/**
 * Simulated Envoys for the fan-out benchmarks, run as a separate process so they do not share a
 * server's event loop: N SotW ADS streams, each on its own connection, each subscribing to clusters,
 * endpoints, listeners, and the route scopes and route configurations the listeners name, like
 * Envoy does, and ACKing every response. They count the ACKs
 * themselves, so every server under test is timed the same way:
 *   stdin  `expect <version> <count>` → stdout `acked <version>` once <count> streams ACKed routes at <version>
 * Usage: node bench/support/ads-clients.ts <xds-port> <count> <gateway>
 */
import { ChannelCredentials } from "@grpc/grpc-js";
import { createInterface } from "node:readline";
import { type Listener, ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { unpack } from "../../src/envoy/any.ts";
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  SCOPED_ROUTE_CONFIGURATION_TYPE_URL,
} from "../../src/envoy/type-urls.ts";
import { connectionManagers } from "../../src/verify/resources.ts";
import { sotwStream } from "../../test/support/ads-client.ts";

const [port, countText, gateway = ""] = process.argv.slice(2);
const count = Number(countText);
/** Route configuration names a listener's connection managers take over RDS; whether one takes route scopes. */
function routeNeeds(listener: Listener): { names: string[]; scoped: boolean } {
  const specs = connectionManagers(listener).map((manager) => manager.hcm.routeSpecifier);
  return { names: specs.flatMap((spec) => (spec.case === "rds" ? [spec.value.routeConfigName] : [])), scoped: specs.some((spec) => spec.case === "scopedRoutes") };
}

/** Routes version → streams that ACKed it; and the versions someone waits for, with how many. */
const acked = new Map<string, number>();
const expected = new Map<string, number>();
const report = (version: string) => {
  const want = expected.get(version);
  if (want !== undefined && (acked.get(version) ?? 0) >= want) {
    expected.delete(version);
    process.stdout.write(`acked ${version}\n`);
  }
};

/**
 * One simulated Envoy: clusters and listeners by wildcard, the endpoints of cluster `a`, then — as
 * Envoy does — the route configurations its listeners name, directly (RDS) or through route scopes
 * (SRDS, a wildcard subscription).
 */
const streams = Array.from({ length: count }, (_, index) => {
  // Its own connection, as each Envoy has: grpc-js would otherwise multiplex every stream on one.
  const stream = sotwStream(`127.0.0.1:${port}`, ChannelCredentials.createInsecure(), false, { "grpc.use_local_subchannel_pool": 1 });
  const names = new Map<string, string[]>([
    [CLUSTER_TYPE_URL, []],
    [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, ["a"]],
    [LISTENER_TYPE_URL, []],
  ]);
  const last = new Map<string, { versionInfo: string; responseNonce: string }>();
  let countedVersion: string | undefined;
  const subscribe = (typeUrl: string, resourceNames: string[]) => {
    const known = names.get(typeUrl);
    if (known && known.join("\n") === resourceNames.join("\n")) return;
    names.set(typeUrl, resourceNames);
    stream.send({ typeUrl, resourceNames, ...last.get(typeUrl) });
  };
  stream.onResponse((response) => {
    const state = { versionInfo: response.versionInfo, responseNonce: response.nonce };
    last.set(response.typeUrl, state);
    stream.send({ typeUrl: response.typeUrl, ...state, resourceNames: names.get(response.typeUrl) ?? [] });
    if (response.typeUrl === LISTENER_TYPE_URL) {
      const needs = response.resources.map((any) => routeNeeds(unpack(any, ListenerSchema)));
      if (needs.some((need) => need.scoped)) subscribe(SCOPED_ROUTE_CONFIGURATION_TYPE_URL, []);
      const direct = needs.flatMap((need) => need.names);
      if (direct.length > 0) subscribe(ROUTE_CONFIGURATION_TYPE_URL, direct.sort());
    }
    if (response.typeUrl === SCOPED_ROUTE_CONFIGURATION_TYPE_URL) {
      subscribe(ROUTE_CONFIGURATION_TYPE_URL, response.resources.map((any) => unpack(any, ScopedRouteConfigurationSchema).routeConfigurationName).sort());
    }
    // A stream counts once per routes version, however many responses carried it.
    if (response.typeUrl !== ROUTE_CONFIGURATION_TYPE_URL || response.versionInfo === countedVersion) return;
    countedVersion = response.versionInfo;
    acked.set(response.versionInfo, (acked.get(response.versionInfo) ?? 0) + 1);
    report(response.versionInfo);
  });
  [...names].forEach(([typeUrl, resourceNames], position) => {
    stream.send({ ...(position === 0 ? { node: { id: `sim-${index}`, cluster: gateway } } : {}), typeUrl, resourceNames });
  });
  return stream;
});
createInterface({ input: process.stdin }).on("line", (line) => {
  const [word, version = "", want = "0"] = line.split(" ");
  if (word !== "expect") return;
  expected.set(version, Number(want));
  report(version);
});
process.on("SIGTERM", () => {
  for (const stream of streams) stream.close();
  process.exit(0);
});
