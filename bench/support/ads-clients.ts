/**
 * Simulated Envoys for the fan-out benchmark, run as a separate process so they do not share the
 * control plane's event loop: N SotW ADS streams, each on its own connection, each subscribing to clusters, endpoints,
 * listeners and routes like Envoy does, and ACKing every response.
 * Usage: node bench/support/ads-clients.ts <xds-port> <count> <gateway>
 */
import { ChannelCredentials } from "@grpc/grpc-js";
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
const streams = Array.from({ length: count }, (_, index) => {
  // Its own connection, as each Envoy has: grpc-js would otherwise multiplex every stream on one.
  const stream = sotwStream(`127.0.0.1:${port}`, ChannelCredentials.createInsecure(), false, { "grpc.use_local_subchannel_pool": 1 });
  stream.onResponse((response) =>
    stream.send({ typeUrl: response.typeUrl, versionInfo: response.versionInfo, responseNonce: response.nonce, resourceNames: names.get(response.typeUrl) ?? [] }),
  );
  subscriptions.forEach(([typeUrl, resourceNames], position) => {
    stream.send({ ...(position === 0 ? { node: { id: `sim-${index}`, cluster: gateway } } : {}), typeUrl, resourceNames });
  });
  return stream;
});
process.on("SIGTERM", () => {
  for (const stream of streams) stream.close();
  process.exit(0);
});
