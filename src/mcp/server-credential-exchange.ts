/**
 * The processor as the upstream filter of a federated MCP server's cluster
 * (src/xds/mcp-server-credential.ts): each request Envoy's mcp_router sends that server gets the
 * server's own credential, or none; a cluster the gateway does not federate is refused.
 */
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { immediateResponse, phaseResponse, processingAttribute } from "../ai/ext-proc-messages.ts";
import { CLUSTER_NAME_ATTRIBUTE } from "../xds/mcp-server-credential.ts";
import type { McpGatewayRuntime } from "./gateways.ts";

const decoder = new TextDecoder();

export class McpServerCredentialExchange {
  readonly #runtime: McpGatewayRuntime | undefined;

  constructor(runtime: McpGatewayRuntime | undefined) {
    this.#runtime = runtime;
  }

  handle(request: ProcessingRequest): ProcessingResponse | undefined {
    if (request.request.case !== "requestHeaders") return undefined; // only request headers are asked for
    const cluster = processingAttribute(request, CLUSTER_NAME_ATTRIBUTE);
    const tokens = this.#runtime?.serverTokens;
    if (typeof cluster !== "string" || !tokens?.has(cluster)) return immediateResponse(502, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "The gateway has no credential decision for this MCP server." } }));
    const token = tokens.get(cluster);
    const text = token ? decoder.decode(token.reveal()).trim() : "";
    return phaseResponse("requestHeaders", text ? { set: { authorization: `Bearer ${text}` } } : { remove: ["authorization"] });
  }

  close(): void {}
}
