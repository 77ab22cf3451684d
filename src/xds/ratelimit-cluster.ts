/**
 * The cluster Envoy's ratelimit filter reaches Portcullis's rate-limit service through: gRPC over
 * HTTP/2, to the `host:port` of gateway.rateLimitService (an IP, or a name resolved by DNS for a
 * fleet's shared service). Not a ClusterIR: it has no TLS, health checks or retries of its own —
 * a service that does not answer in time is what `failureMode` is for.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { isIP } from "node:net";
import { Cluster_DiscoveryType, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { duration, packed } from "./proto.ts";

export function rateLimitServiceClusters(ir: GatewayIR): { name: string; init: MessageInitShape<typeof ClusterSchema> }[] {
  const service = ir.rateLimitService;
  if (!service) return [];
  const name = service.cluster;
  const socketAddress = { address: service.host, portSpecifier: { case: "portValue" as const, value: service.port } };
  return [
    {
      name,
      init: {
        name,
        clusterDiscoveryType: { case: "type", value: isIP(service.host) ? Cluster_DiscoveryType.STATIC : Cluster_DiscoveryType.STRICT_DNS },
        connectTimeout: duration(1_000),
        loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ hostIdentifier: { case: "endpoint", value: { address: { address: { case: "socketAddress", value: socketAddress } } } } }] }] },
        typedExtensionProtocolOptions: {
          // Keepalive notices a service that went away without closing its connections.
          "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": packed(HttpProtocolOptionsSchema, {
            upstreamProtocolOptions: { case: "explicitHttpConfig", value: { protocolConfig: { case: "http2ProtocolOptions", value: { connectionKeepalive: { interval: duration(30_000), timeout: duration(5_000) } } } } },
          }),
        },
      },
    },
  ];
}
