/**
 * The cluster Envoy's ext_proc filter reaches the AI processor through: a static gRPC (HTTP/2)
 * cluster on the loopback address or unix socket the config names. Not a ClusterIR: no DNS, no
 * TLS, no health checks, and an address a service endpoint cannot be (a socket path).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Cluster_DiscoveryType, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { RoutingPriority } from "../../generated/envoy/config/core/v3/base_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import type { AiProcessorAddressIR, GatewayIR } from "../model/ir.ts";
import { duration, packed } from "./proto.ts";

function address(processor: AiProcessorAddressIR) {
  return processor.kind === "unix"
    ? { address: { case: "pipe" as const, value: { path: processor.path } } }
    : { address: { case: "socketAddress" as const, value: { address: processor.host, portSpecifier: { case: "portValue" as const, value: processor.port } } } };
}

/** The processor's cluster, or none without an `ai` or `mcp` section (both use one processor). */
export function aiProcessorClusters(ir: GatewayIR): { name: string; init: MessageInitShape<typeof ClusterSchema> }[] {
  const processor = ir.ai?.processor ?? ir.mcp?.processor;
  if (!processor) return [];
  const name = processor.cluster;
  return [
    {
      name,
      init: {
        name,
        clusterDiscoveryType: { case: "type", value: Cluster_DiscoveryType.STATIC },
        connectTimeout: duration(1_000),
        loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ hostIdentifier: { case: "endpoint", value: { address: address(processor.address) } } }] }] },
        typedExtensionProtocolOptions: {
          // ext_proc is gRPC; keepalive notices a processor that went away without closing its connections.
          "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": packed(HttpProtocolOptionsSchema, {
            upstreamProtocolOptions: { case: "explicitHttpConfig", value: { protocolConfig: { case: "http2ProtocolOptions", value: { connectionKeepalive: { interval: duration(30_000), timeout: duration(5_000) } } } } },
          }),
        },
        // Every AI request in flight holds one processor stream; streamed answers hold it for minutes.
        circuitBreakers: { thresholds: [{ priority: RoutingPriority.DEFAULT, maxConnections: 1024, maxPendingRequests: 10_000, maxRequests: 10_000, maxRetries: 3 }] },
      },
    },
  ];
}
