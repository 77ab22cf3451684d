/**
 * One request to the endpoint of an API version published as MCP tools, as the processor sees it
 * in front of Envoy's JSON-REST bridge (src/xds/mcp-rest-call-filter.ts): the body read strictly
 * (refused as on MCP endpoints when a reader could take it two ways), and for a tools/call, the
 * audit record — tool, endpoint, a hash of the arguments — completed when the answer passes back:
 * the REST route that took the call, who it admitted (the identity headers the gateway set on the
 * rewritten request) or why it was refused.
 */
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { phaseResponse, processingAttribute, readHeaders } from "../ai/ext-proc-messages.ts";
import type { McpRestToolsRouteIR } from "../model/ir.ts";
import { requestHeaderAttribute, ROUTE_NAME_ATTRIBUTE } from "../xds/mcp-rest-call-filter.ts";
import { argumentsHash, type McpAuditDeps, ToolCallAudit } from "./audit.ts";
import type { McpGatewayRuntime } from "./gateways.ts";
import { readMcpRequest } from "./message.ts";
import { headerValues, leniently, refuse, responseCodeDetails } from "./processor-messages.ts";

/** Why a call was turned away, from the status and the filter Envoy says answered. */
function refusal(status: number, details: string): string | undefined {
  if (status === 401) return "no valid credential for the tool's route";
  if (status === 403) return details.startsWith("rbac_access_denied") ? "the tool's route does not admit the caller" : `refused by the gateway (${details || "403"})`;
  if (status === 429) return "rate limited";
  return undefined;
}

export class McpRestCallExchange {
  readonly #runtime: McpGatewayRuntime | undefined;
  readonly #call: ToolCallAudit;
  #endpoint: McpRestToolsRouteIR | undefined;
  #headers = new Map<string, string[]>();

  constructor(runtime: McpGatewayRuntime | undefined, deps: McpAuditDeps = {}) {
    this.#runtime = runtime;
    this.#call = new ToolCallAudit(deps);
  }

  handle(request: ProcessingRequest): ProcessingResponse | undefined {
    const message = request.request;
    switch (message.case) {
      case "requestHeaders": {
        this.#headers = headerValues(message.value.headers);
        const path = (this.#headers.get(":path")?.at(-1) ?? "").split("?")[0]!;
        this.#endpoint = this.#runtime?.restTools.get(path);
        return this.#endpoint ? phaseResponse("requestHeaders") : refuse(503, `The MCP gateway has no published tools at ${path} loaded on this processor.`);
      }
      case "requestBody":
        return this.#requestBody(message.value.body);
      case "responseHeaders": {
        const status = Number(readHeaders(message.value.headers).get(":status") ?? 0);
        this.#answered(status, request);
        // The tool list or the call was refused for want of a valid token: the client is told where to get one (RFC 9728 §5.1).
        const metadata = this.#endpoint?.resourceMetadataUrl;
        return phaseResponse("responseHeaders", status === 401 && metadata ? { set: { "www-authenticate": `Bearer resource_metadata="${metadata}"` } } : {});
      }
      default:
        return undefined; // nothing else is asked for
    }
  }

  /** The stream ended before an answer: the call is still recorded. */
  close(): void {
    this.#call.end(0);
  }

  #requestBody(body: Uint8Array): ProcessingResponse {
    const read = readMcpRequest(body, this.#headers);
    if ("refused" in read) {
      const seen = leniently(body);
      if (seen.method === "tools/call") this.#pending(String(seen.tool ?? ""), undefined);
      this.#call.end(400, { decision: "refused", reason: read.refused });
      return refuse(400, `Refused by the gateway: ${read.refused}.`);
    }
    if (read.method === "tools/call") this.#pending(read.name ?? "", argumentsHash(read.arguments));
    return phaseResponse("requestBody");
  }

  #pending(tool: string, argumentsSha256: string | undefined): void {
    const endpoint = this.#endpoint!;
    this.#call.begin({
      gateway: this.#runtime!.name,
      requestId: this.#headers.get("x-request-id")?.at(-1) ?? "",
      api: endpoint.name,
      server: "",
      tool,
      ...(argumentsSha256 ? { argumentsSha256 } : {}),
      decision: "allowed",
    });
  }

  #answered(status: number, request: ProcessingRequest): void {
    if (!this.#call.pending) return;
    const attribute = (name: string) => {
      const value = processingAttribute(request, name);
      return typeof value === "string" && value !== "" ? value : undefined;
    };
    const runtime = this.#runtime!;
    const names = runtime.identityHeaders;
    const admitted = { identity: attribute(requestHeaderAttribute(names.identity)), subject: attribute(requestHeaderAttribute(names.subject)) };
    // Refused: no identity header was set, but a token may have been verified before the route's rules said no.
    const verified = runtime.verifiedSubjects.map((entry) => ({ identity: entry.identity, subject: attribute(entry.attribute) })).find((entry) => entry.subject !== undefined);
    const who = { ...(admitted.identity !== undefined ? admitted : (verified ?? {})), consumer: attribute(requestHeaderAttribute(names.consumer)) };
    const route = attribute(ROUTE_NAME_ATTRIBUTE);
    // The REST route of the tool, when the bridge sent the call on to it.
    const server = route !== undefined && this.#endpoint!.tools.some((tool) => tool.route === route) ? route : "";
    const details = responseCodeDetails(request);
    // Not sent on to any REST route (an unknown tool, a path argument that climbs out): the bridge answered.
    const reason = refusal(status, details) ?? (server === "" ? `no route took the call (${details || "answered by the bridge"})` : undefined);
    this.#call.end(status, {
      server,
      ...Object.fromEntries(Object.entries(who).filter(([, value]) => value !== undefined)),
      ...(reason ? { decision: "refused" as const, reason } : {}),
    });
  }
}
