/**
 * The cluster of an AI chain (AiChainIR): one priority per attempt, each holding the endpoint of
 * the attempt's provider with the attempt's index in its metadata. The chain's route retries with
 * `previous_priorities`, so attempt N+1 goes to priority N+1 whatever provider that is; the
 * processor, as this cluster's upstream filter, translates and signs the request for the attempt
 * the endpoint names. TLS follows the endpoint's provider (transport socket matches), with the
 * provider's name checked as on its own cluster.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Cluster_DiscoveryType, Cluster_DnsLookupFamily, Cluster_LbPolicy, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { RoutingPriority } from "../../generated/envoy/config/core/v3/base_pb.js";
import { UpstreamCodecSchema } from "../../generated/envoy/extensions/filters/http/upstream_codec/v3/upstream_codec_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import { ATTEMPT_METADATA_NAMESPACE } from "../ai/routing/attempt-exchange.ts";
import type { AiChainIR, ClusterIR, GatewayIR } from "../model/ir.ts";
import { upstreamTls } from "./cluster.ts";
import { upstreamExtProcFilter } from "./filters/ext-proc.ts";
import { duration, packed, typedExtension } from "./proto.ts";

/** Envoy's own metadata key for choosing an endpoint's transport socket. */
const TRANSPORT_SOCKET_MATCH = "envoy.transport_socket_match";

function chainCluster(ir: GatewayIR, chain: AiChainIR, clusterOf: (provider: string) => ClusterIR): MessageInitShape<typeof ClusterSchema> {
  const clusters = chain.attempts.map((attempt) => clusterOf(attempt.provider));
  const dns = clusters.some((cluster) => cluster.discovery !== "eds");
  const tlsProviders = [...new Set(chain.attempts.map((attempt) => attempt.provider))].sort().filter((provider) => clusterOf(provider).tls);
  return {
    name: chain.name,
    clusterDiscoveryType: { case: "type", value: dns ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.STATIC },
    ...(dns ? { dnsLookupFamily: Cluster_DnsLookupFamily.V4_PREFERRED } : {}),
    connectTimeout: duration(Math.max(...clusters.map((cluster) => cluster.connectTimeoutMs))),
    lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
    loadAssignment: {
      clusterName: chain.name,
      endpoints: chain.attempts.map((attempt, index) => ({
        priority: index,
        lbEndpoints: clusters[index]!.endpoints.map((endpoint) => ({
          hostIdentifier: {
            case: "endpoint" as const,
            value: { address: { address: { case: "socketAddress" as const, value: { address: endpoint.host, portSpecifier: { case: "portValue" as const, value: endpoint.port } } } } },
          },
          metadata: { filterMetadata: { [ATTEMPT_METADATA_NAMESPACE]: { attempt: String(index) }, [TRANSPORT_SOCKET_MATCH]: { provider: attempt.provider } } },
        })),
      })),
    },
    transportSocketMatches: tlsProviders.map((provider) => ({ name: provider, match: { provider }, transportSocket: upstreamTls(clusterOf(provider).tls!, "http1") })),
    typedExtensionProtocolOptions: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": packed(HttpProtocolOptionsSchema, {
        commonHttpProtocolOptions: { idleTimeout: duration(60_000) },
        upstreamProtocolOptions: { case: "explicitHttpConfig", value: { protocolConfig: { case: "httpProtocolOptions", value: {} } } },
        httpFilters: [upstreamExtProcFilter(ir), typedExtension("envoy.filters.http.upstream_codec", UpstreamCodecSchema, {})],
      }),
    },
    // Every attempt after the first is a retry: as many may be in flight as requests.
    circuitBreakers: { thresholds: [{ priority: RoutingPriority.DEFAULT, maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 1024 }] },
  };
}

/** The clusters of the AI gateway's chains; none without chains. */
export function aiChainClusters(ir: GatewayIR): { name: string; init: MessageInitShape<typeof ClusterSchema> }[] {
  const ai = ir.ai;
  if (!ai || ai.chains.length === 0) return [];
  const providers = new Map(ai.providers.map((provider) => [provider.name, provider.cluster]));
  const clusters = new Map(ir.clusters.map((cluster) => [cluster.name, cluster]));
  const clusterOf = (provider: string) => clusters.get(providers.get(provider)!)!;
  return ai.chains.map((chain) => ({ name: chain.name, init: chainCluster(ir, chain, clusterOf) }));
}
