/**
 * A cluster with one priority per target, each holding the endpoints of that target's own cluster
 * with the target's index in its metadata: a route that retries with `previous_priorities` sends
 * attempt N to target N, and the cluster's upstream filter (a processor) reads which target it is
 * talking to from the endpoint's metadata. TLS follows each target's cluster (transport socket
 * matches), with its names checked as on that cluster. AI chains (fallbacks) and federated MCP
 * endpoints (fan-out) are built this way.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Cluster_DiscoveryType, Cluster_DnsLookupFamily, Cluster_LbPolicy, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { RoutingPriority } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { HttpFilterSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { UpstreamCodecSchema } from "../../generated/envoy/extensions/filters/http/upstream_codec/v3/upstream_codec_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import type { ClusterIR } from "../model/ir.ts";
import { upstreamTls } from "./cluster.ts";
import { duration, packed, typedExtension } from "./proto.ts";

/** Envoy's own metadata key for choosing an endpoint's transport socket. */
const TRANSPORT_SOCKET_MATCH = "envoy.transport_socket_match";

export interface PriorityTarget {
  /** Names the target's transport socket (targets of one cluster share it). */
  readonly name: string;
  readonly cluster: ClusterIR;
}

export interface PriorityClusterOptions {
  /** Where each endpoint's metadata keeps its target's index, under the key `attempt`. */
  readonly metadataNamespace: string;
  /** The processor that adapts each attempt to its target. */
  readonly upstreamFilter: MessageInitShape<typeof HttpFilterSchema>;
}

export function priorityCluster(name: string, targets: readonly PriorityTarget[], options: PriorityClusterOptions): MessageInitShape<typeof ClusterSchema> {
  const dns = targets.some((target) => target.cluster.discovery !== "eds");
  const tlsTargets = new Map(targets.filter((target) => target.cluster.tls).map((target) => [target.name, target.cluster]));
  return {
    name,
    clusterDiscoveryType: { case: "type", value: dns ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.STATIC },
    ...(dns ? { dnsLookupFamily: Cluster_DnsLookupFamily.V4_PREFERRED } : {}),
    connectTimeout: duration(Math.max(...targets.map((target) => target.cluster.connectTimeoutMs))),
    lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
    loadAssignment: {
      clusterName: name,
      endpoints: targets.map((target, index) => ({
        priority: index,
        lbEndpoints: target.cluster.endpoints.map((endpoint) => ({
          hostIdentifier: {
            case: "endpoint" as const,
            value: { address: { address: { case: "socketAddress" as const, value: { address: endpoint.host, portSpecifier: { case: "portValue" as const, value: endpoint.port } } } } },
          },
          metadata: { filterMetadata: { [options.metadataNamespace]: { attempt: String(index) }, [TRANSPORT_SOCKET_MATCH]: { provider: target.name } } },
        })),
      })),
    },
    transportSocketMatches: [...tlsTargets.keys()].sort().map((target) => ({ name: target, match: { provider: target }, transportSocket: upstreamTls(tlsTargets.get(target)!.tls!, "http1") })),
    typedExtensionProtocolOptions: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": packed(HttpProtocolOptionsSchema, {
        commonHttpProtocolOptions: { idleTimeout: duration(60_000) },
        upstreamProtocolOptions: { case: "explicitHttpConfig", value: { protocolConfig: { case: "httpProtocolOptions", value: {} } } },
        httpFilters: [options.upstreamFilter, typedExtension("envoy.filters.http.upstream_codec", UpstreamCodecSchema, {})],
      }),
    },
    // Every attempt after the first is a retry: as many may be in flight as requests.
    circuitBreakers: { thresholds: [{ priority: RoutingPriority.DEFAULT, maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 1024 }] },
  };
}
