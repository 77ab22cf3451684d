/**
 * Simulated Envoys for the fan-out benchmarks, run as a separate process so they do not share a
 * server's event loop: N SotW ADS streams, each on its own connection, each subscribing to clusters,
 * endpoints, listeners and routes like Envoy does, and ACKing every response. They count the ACKs
 * themselves, so every server under test is timed the same way:
 *   stdin  `expect <version> <count>` → stdout `acked <version>` once <count> streams ACKed routes at <version>
 * Usage: node bench/support/ads-clients.ts <xds-port> <count> <gateway>
 */
import { ChannelCredentials } from "@grpc/grpc-js";
import { createInterface } from "node:readline";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { sotwStream } from "../../test/support/ads-client.ts";

const [port, countText, gateway = ""] = process.argv.slice(2);
const count = Number(countText);
const subscriptions: [string, string[]][] = [
  [CLUSTER_TYPE_URL, []],
  [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, ["a"]],
  [LISTENER_TYPE_URL, []],
  [ROUTE_CONFIGURATION_TYPE_URL, ["routes"]],
];
const names = new Map(subscriptions);
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

const streams = Array.from({ length: count }, (_, index) => {
  // Its own connection, as each Envoy has: grpc-js would otherwise multiplex every stream on one.
  const stream = sotwStream(`127.0.0.1:${port}`, ChannelCredentials.createInsecure(), false, { "grpc.use_local_subchannel_pool": 1 });
  stream.onResponse((response) => {
    stream.send({ typeUrl: response.typeUrl, versionInfo: response.versionInfo, responseNonce: response.nonce, resourceNames: names.get(response.typeUrl) ?? [] });
    if (response.typeUrl !== ROUTE_CONFIGURATION_TYPE_URL) return;
    acked.set(response.versionInfo, (acked.get(response.versionInfo) ?? 0) + 1);
    report(response.versionInfo);
  });
  subscriptions.forEach(([typeUrl, resourceNames], position) => {
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
