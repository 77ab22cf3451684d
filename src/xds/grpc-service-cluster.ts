/**
 * A cluster that reaches one of Portcullis's own gRPC services at `host:port` (an IP, or a name
 * resolved by DNS for a fleet's shared service): HTTP/2 with keepalive, so a service that went away
 * without closing its connections is noticed. Not a ClusterIR: no TLS, health checks or retries.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { isIP } from "node:net";
import { Cluster_DiscoveryType, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import { duration, packed } from "./proto.ts";

export function grpcServiceCluster(name: string, host: string, port: number): { name: string; init: MessageInitShape<typeof ClusterSchema> } {
  const socketAddress = { address: host, portSpecifier: { case: "portValue" as const, value: port } };
  return {
    name,
    init: {
      name,
      clusterDiscoveryType: { case: "type", value: isIP(host) ? Cluster_DiscoveryType.STATIC : Cluster_DiscoveryType.STRICT_DNS },
      connectTimeout: duration(1_000),
      loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ hostIdentifier: { case: "endpoint", value: { address: { address: { case: "socketAddress", value: socketAddress } } } } }] }] },
      typedExtensionProtocolOptions: {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": packed(HttpProtocolOptionsSchema, {
          upstreamProtocolOptions: { case: "explicitHttpConfig", value: { protocolConfig: { case: "http2ProtocolOptions", value: { connectionKeepalive: { interval: duration(30_000), timeout: duration(5_000) } } } } },
        }),
      },
    },
  };
}
