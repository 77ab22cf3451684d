/**
 * The fan-out cluster of each federated MCP endpoint (McpFederationIR): one priority per server
 * (priority-cluster.ts). Its route retries to the next priority while the answer carries the
 * processor's next-server mark, so a request reaches every server in turn; the processor, as
 * this cluster's upstream filter, sends each server its own path, Host, credential and session,
 * keeps each answer but the last for the merge, and marks it.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ExternalProcessorSchema } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ProcessingMode_BodySendMode as Body, ProcessingMode_HeaderSendMode as Headers } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { GATEWAY_METADATA_KEY } from "./filters/ext-proc.ts";
import { PROCESSOR_KIND_METADATA_KEY } from "./mcp-processor-filter.ts";
import { priorityCluster } from "./priority-cluster.ts";
import { duration, typedExtension } from "./proto.ts";

/** The gRPC metadata (under the processor-kind key) of the streams of a fan-out's attempts. */
export const MCP_FANOUT_PROCESSOR_KIND = "mcp-fanout";
/** Where an endpoint of a fan-out cluster keeps its server's index. */
export const MCP_FANOUT_METADATA_NAMESPACE = "portcullis.mcp";
/** The ext_proc attribute (a CEL expression) that carries it to the processor with the request headers. */
export const MCP_FANOUT_ATTEMPT_ATTRIBUTE = `xds.upstream_host_metadata.filter_metadata['${MCP_FANOUT_METADATA_NAMESPACE}']['attempt']`;

function fanoutFilter(ir: GatewayIR) {
  return typedExtension("envoy.filters.http.ext_proc.mcp_fanout", ExternalProcessorSchema, {
    grpcService: {
      targetSpecifier: { case: "envoyGrpc", value: { clusterName: ir.mcp!.processor.cluster } },
      initialMetadata: [
        { key: GATEWAY_METADATA_KEY, value: ir.name },
        { key: PROCESSOR_KIND_METADATA_KEY, value: MCP_FANOUT_PROCESSOR_KIND },
      ],
    },
    // The answer whole (it is kept for the merge) before Envoy sees its headers and decides on the next server.
    processingMode: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.NONE, responseHeaderMode: Headers.SEND, responseBodyMode: Body.BUFFERED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
    requestAttributes: [MCP_FANOUT_ATTEMPT_ATTRIBUTE],
    failureModeAllow: false,
    messageTimeout: duration(5_000),
    // Each attempt goes to another server: its Host and path are the processor's to set.
    mutationRules: { allowAllRouting: true, disallowIsError: true },
    statPrefix: "mcp_fanout",
  });
}

/** The fan-out clusters of the federated MCP endpoints; none without one. */
export function mcpFanoutClusters(ir: GatewayIR): { name: string; init: MessageInitShape<typeof ClusterSchema> }[] {
  const federations = (ir.mcp?.apis ?? []).flatMap((api) => (api.federation ? [api.federation] : []));
  if (federations.length === 0) return [];
  const clusters = new Map(ir.clusters.map((cluster) => [cluster.name, cluster]));
  const options = { metadataNamespace: MCP_FANOUT_METADATA_NAMESPACE, upstreamFilter: fanoutFilter(ir) };
  return federations.map((federation) => ({
    name: federation.cluster,
    init: priorityCluster(federation.cluster, federation.servers.map((server) => ({ name: server.server, cluster: clusters.get(server.server)! })), options),
  }));
}
