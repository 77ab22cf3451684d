/**
 * Every upstream cluster speaks TLS that verifies whom it reaches (a trust anchor, no
 * ACCEPT_UNTRUSTED, nothing below TLS 1.2), unless the compile result lets it go without: a
 * provider with a `plaintext` reason, or Portcullis's own gRPC services.
 */
import type { Cluster } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import type { TransportSocket } from "../../generated/envoy/config/core/v3/base_pb.js";
import { TlsParameters_TlsProtocol } from "../../generated/envoy/extensions/transport_sockets/tls/v3/common_pb.js";
import { type UpstreamTlsContext, UpstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import type { VerifyExpectations } from "./expectations.ts";
import { typedConfigOf, unpackAs } from "./resources.ts";
import { peerValidation } from "./tls-validation.ts";
import type { Violations } from "./violations.ts";

/** Why this TLS context does not verify the upstream, or undefined when it does. */
function weakness(tls: UpstreamTlsContext): string | undefined {
  const common = tls.commonTlsContext;
  const minimum = common?.tlsParams?.tlsMinimumProtocolVersion ?? TlsParameters_TlsProtocol.TLS_AUTO;
  // TLS_AUTO is TLS 1.2 for a client.
  if (minimum === TlsParameters_TlsProtocol.TLSv1_0 || minimum === TlsParameters_TlsProtocol.TLSv1_1) return "allows TLS below 1.2.";
  return peerValidation(common?.validationContextType) === "verified" ? undefined : "has no trust anchor to verify the upstream's certificate against, so any certificate is accepted.";
}

function verifySocket(cluster: Cluster, socket: TransportSocket | undefined, field: string, expected: VerifyExpectations, out: Violations): void {
  const resource = { kind: "Cluster" as const, name: cluster.name };
  const tls = socket ? unpackAs(typedConfigOf(socket), UpstreamTlsContextSchema) : undefined;
  if (!tls) {
    if (!expected.plaintextClusters.has(cluster.name)) out.add("PCL6010", resource, field, "reaches its upstream without TLS, and the compile result names no plaintext reason for it.");
    return;
  }
  const problem = weakness(tls);
  if (problem) out.add("PCL6011", resource, `${field}.typed_config.common_tls_context`, problem);
}

export function verifyUpstreamTls(clusters: readonly Cluster[], expected: VerifyExpectations, out: Violations): void {
  for (const cluster of clusters) {
    verifySocket(cluster, cluster.transportSocket, "transport_socket", expected, out);
    for (const [i, match] of cluster.transportSocketMatches.entries()) {
      verifySocket(cluster, match.transportSocket, `transport_socket_matches[${i}].transport_socket`, expected, out);
    }
  }
}
