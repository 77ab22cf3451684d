import type { MessageInitShape } from "@bufbuild/protobuf";
import { Cluster_DiscoveryType, Cluster_DnsLookupFamily, Cluster_LbPolicy, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { RoutingPriority } from "../../generated/envoy/config/core/v3/base_pb.js";
import { SubjectAltNameMatcher_SanType } from "../../generated/envoy/extensions/transport_sockets/tls/v3/common_pb.js";
import { UpstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { CodecClientType } from "../../generated/envoy/type/v3/http_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import { UpstreamCodecSchema } from "../../generated/envoy/extensions/filters/http/upstream_codec/v3/upstream_codec_pb.js";
import type { HttpFilterSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { ClusterIR, UpstreamTlsIR } from "../model/ir.ts";
import { loadAssignment } from "./endpoints.ts";
import { ADS, duration, packed, typedExtension } from "./proto.ts";

/** Envoy does not use the system trust store on its own; this is where Debian/Ubuntu/Alpine keep it. */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

const LB_POLICY = {
  round_robin: Cluster_LbPolicy.ROUND_ROBIN,
  least_request: Cluster_LbPolicy.LEAST_REQUEST,
  random: Cluster_LbPolicy.RANDOM,
  ring_hash: Cluster_LbPolicy.RING_HASH,
  maglev: Cluster_LbPolicy.MAGLEV,
} as const;

const exact = (value: string) => ({ matchPattern: { case: "exact" as const, value } });

/**
 * Upstream TLS that checks who answers: the CA, and the SPIFFE IDs / DNS names the certificate must
 * carry. An HTTP/2 service is offered `h2` in ALPN: HTTP/2 servers over TLS (gRPC, Node's http2
 * without allowHTTP1) refuse a handshake that does not negotiate it.
 */
export function upstreamTls(tls: UpstreamTlsIR, protocol: ClusterIR["protocol"]) {
  const sanMatchers = [
    ...tls.expectedSpiffeIds.map((id) => ({ sanType: SubjectAltNameMatcher_SanType.URI, matcher: exact(id) })),
    ...tls.expectedSans.map((san) => ({ sanType: SubjectAltNameMatcher_SanType.DNS, matcher: exact(san) })),
  ];
  const validationContextType = tls.caSecret
    ? {
        case: "combinedValidationContext" as const,
        value: { defaultValidationContext: { matchTypedSubjectAltNames: sanMatchers }, validationContextSdsSecretConfig: { name: tls.caSecret, sdsConfig: ADS } },
      }
    : {
        case: "validationContext" as const,
        value: { trustedCa: { specifier: { case: "filename" as const, value: SYSTEM_CA_BUNDLE } }, matchTypedSubjectAltNames: sanMatchers },
      };
  return typedExtension("envoy.transport_sockets.tls", UpstreamTlsContextSchema, {
    sni: tls.sni,
    commonTlsContext: {
      validationContextType,
      tlsCertificateSdsSecretConfigs: tls.clientCertificateSecret ? [{ name: tls.clientCertificateSecret, sdsConfig: ADS }] : [],
      alpnProtocols: protocol === "http2" ? ["h2"] : [],
    },
  });
}

function httpProtocolOptions(cluster: ClusterIR, upstreamFilters: readonly MessageInitShape<typeof HttpFilterSchema>[]) {
  const protocolConfig =
    cluster.protocol === "http2" ? { case: "http2ProtocolOptions" as const, value: {} } : { case: "httpProtocolOptions" as const, value: {} };
  return packed(HttpProtocolOptionsSchema, {
    // Pooled upstream connections are recycled before the service's own idle timeout cuts them mid-request.
    commonHttpProtocolOptions: { idleTimeout: duration(60_000) },
    upstreamProtocolOptions: { case: "explicitHttpConfig", value: { protocolConfig } },
    ...(upstreamFilters.length > 0 ? { httpFilters: [...upstreamFilters, typedExtension("envoy.filters.http.upstream_codec", UpstreamCodecSchema, {})] } : {}),
  });
}

/** Health probes speak the service's protocol: Envoy's checker talks HTTP/1.1 unless told otherwise, which an HTTP/2-only service refuses. */
function healthCheckCodec(cluster: ClusterIR) {
  return cluster.protocol === "http2" ? { codecClientType: CodecClientType.HTTP2 } : {};
}

/** The cluster of a service provider: discovery, TLS, timeouts, health, limits, balancing; upstream filters run on each request it sends. */
export function cluster(cluster: ClusterIR, upstreamFilters: readonly MessageInitShape<typeof HttpFilterSchema>[] = []): MessageInitShape<typeof ClusterSchema> {
  const discovery =
    cluster.discovery === "eds"
      ? { clusterDiscoveryType: { case: "type" as const, value: Cluster_DiscoveryType.EDS }, edsClusterConfig: { edsConfig: ADS } }
      : {
          clusterDiscoveryType: { case: "type" as const, value: cluster.discovery === "strict-dns" ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.LOGICAL_DNS },
          // Most internal services listen on IPv4; AUTO would prefer an IPv6 address they do not serve.
          dnsLookupFamily: Cluster_DnsLookupFamily.V4_PREFERRED,
          loadAssignment: loadAssignment(cluster),
        };
  const { healthCheck: hc, outlierDetection: od, circuitBreaker: cb } = cluster;
  return {
    name: cluster.name,
    ...discovery,
    connectTimeout: duration(cluster.connectTimeoutMs),
    lbPolicy: LB_POLICY[cluster.loadBalancing],
    typedExtensionProtocolOptions: { "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": httpProtocolOptions(cluster, upstreamFilters) },
    ...(cluster.tls ? { transportSocket: upstreamTls(cluster.tls, cluster.protocol) } : {}),
    circuitBreakers: {
      thresholds: [{ priority: RoutingPriority.DEFAULT, maxConnections: cb.maxConnections, maxPendingRequests: cb.maxPendingRequests, maxRequests: cb.maxRequests, maxRetries: cb.maxRetries }],
    },
    healthChecks: hc
      ? [{ timeout: duration(hc.timeoutMs), interval: duration(hc.intervalMs), healthyThreshold: hc.healthyThreshold, unhealthyThreshold: hc.unhealthyThreshold, healthChecker: { case: "httpHealthCheck", value: { path: hc.path, ...healthCheckCodec(cluster) } } }]
      : [],
    ...(od
      ? { outlierDetection: { consecutive5xx: od.consecutive5xx, interval: duration(od.intervalMs), baseEjectionTime: duration(od.baseEjectionTimeMs), maxEjectionPercent: od.maxEjectionPercent } }
      : {}),
  };
}
