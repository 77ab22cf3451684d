/**
 * Each federated MCP server's own credential. Envoy's mcp_router sends its requests to the
 * servers' clusters itself, without the client's headers; the MCP processor, as an upstream filter
 * of each such cluster, sets the server's `Authorization: Bearer …` (or removes any), so the token
 * stays in the processor's memory and out of Envoy's config.
 */
import { ExternalProcessorSchema } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ProcessingMode_BodySendMode as Body, ProcessingMode_HeaderSendMode as Headers } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { processorService } from "./filters/ext-proc.ts";
import { duration, typedExtension } from "./proto.ts";

/** The gRPC metadata (under the processor-kind key) of these streams. */
export const MCP_SERVER_PROCESSOR_KIND = "mcp-server";
/** Which cluster (which server) the request is going to. */
export const CLUSTER_NAME_ATTRIBUTE = "xds.cluster_name";

/** The clusters of the servers behind federated MCP endpoints. */
export function federatedServerClusters(ir: GatewayIR): ReadonlySet<string> {
  return new Set((ir.mcp?.apis ?? []).flatMap((api) => (api.federation ?? []).map((server) => server.server)));
}

export function mcpServerCredentialFilter(ir: GatewayIR) {
  return typedExtension("envoy.filters.http.ext_proc.mcp_server", ExternalProcessorSchema, {
    grpcService: processorService(ir.mcp!.processor.cluster, ir, MCP_SERVER_PROCESSOR_KIND),
    processingMode: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.NONE, responseHeaderMode: Headers.SKIP, responseBodyMode: Body.NONE, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
    requestAttributes: [CLUSTER_NAME_ATTRIBUTE],
    // Fail closed: without the processor a server would get no credential, or a stale one.
    failureModeAllow: false,
    messageTimeout: duration(5_000),
    mutationRules: { disallowIsError: true },
    statPrefix: "mcp_server",
  });
}
