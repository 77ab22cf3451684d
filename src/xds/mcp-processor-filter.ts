/**
 * The MCP processor on MCP endpoint routes: a second ext_proc filter (the AI one keeps its name,
 * per-route modes and stats), on the same processor cluster. It sees each request's headers and
 * whole body (strict parse, the server's credential) and the answer's headers and body chunk by
 * chunk (tools/list filtered to the caller's tools; everything else passes through unchanged).
 * On the tool-list route of an API version published as tools it sees the caller's headers and
 * the list Envoy answers with, whole, and cuts it down to the tools the caller's routes admit.
 */
import { ExternalProcessorSchema, ExtProcPerRouteSchema } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ProcessingMode_BodySendMode as Body, ProcessingMode_HeaderSendMode as Headers } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import type { GatewayIR, RouteIR } from "../model/ir.ts";
import { processorService } from "./filters/ext-proc.ts";
import type { HttpFilterModule } from "./filters/http-filter.ts";
import { duration, packed, typedExtension } from "./proto.ts";
import { someRoute } from "../model/route-counts.ts";

const servesMcp = (route: RouteIR) => Boolean(route.mcp || route.mcpToolList);

export const MCP_PROCESSOR_FILTER = "envoy.filters.http.ext_proc.mcp";
/** The gRPC metadata that tells the processor a stream is MCP traffic (the AI filter's streams carry none). */
export const PROCESSOR_KIND_METADATA_KEY = "x-portcullis-processor";
/** Sent with the response headers: who answered (`via_upstream`, or e.g. `rbac_access_denied…` when the tool rules refused the call). */
export const RESPONSE_CODE_DETAILS = "response.code_details";

/** The processor kind of tool-list streams (PROCESSOR_KIND_METADATA_KEY, set per route). */
export const MCP_TOOL_LIST_PROCESSOR_KIND = "mcp-tool-list";

const MODE = { requestHeaderMode: Headers.SEND, requestBodyMode: Body.BUFFERED, responseHeaderMode: Headers.SEND, responseBodyMode: Body.STREAMED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP };

/**
 * Envoy builds a request's filter chain for the route it first matched: a filter disabled by
 * default is in it only if that route enables it, whatever route the request is sent on after a
 * rewrite. A tool-list request starts as a POST to its bridged endpoint, so the endpoint enables
 * this filter with nothing to do, and the base mode does nothing: a tool call the bridge sends on
 * to its REST route passes through untouched.
 */
const NOTHING = { requestHeaderMode: Headers.SKIP, requestBodyMode: Body.NONE, responseHeaderMode: Headers.SKIP, responseBodyMode: Body.NONE, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP };
const TOOL_LIST_MODE = { requestHeaderMode: Headers.SEND, requestBodyMode: Body.NONE, responseHeaderMode: Headers.SEND, responseBodyMode: Body.BUFFERED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP };

function chainEntry(ir: GatewayIR) {
  const mcp = ir.mcp;
  if (!mcp || !someRoute(ir.routes, servesMcp)) return undefined;
  return {
    ...typedExtension(MCP_PROCESSOR_FILTER, ExternalProcessorSchema, {
      grpcService: processorService(mcp.processor.cluster, ir, "mcp"),
      // Fail closed: without the processor no body is checked strictly and no list is filtered.
      failureModeAllow: false,
      messageTimeout: duration(5_000),
      mutationRules: { disallowIsError: true },
      processingMode: NOTHING,
      responseAttributes: [RESPONSE_CODE_DETAILS],
      statPrefix: "mcp",
    }),
    disabled: true,
  };
}

function perRoute(route: RouteIR) {
  if (route.mcp) return packed(ExtProcPerRouteSchema, { override: { case: "overrides", value: { processingMode: MODE } } });
  if (route.mcpRestTools) return packed(ExtProcPerRouteSchema, { override: { case: "overrides", value: { processingMode: NOTHING } } });
  if (!route.mcpToolList) return undefined;
  return packed(ExtProcPerRouteSchema, {
    override: { case: "overrides", value: { processingMode: TOOL_LIST_MODE, grpcInitialMetadata: [{ key: PROCESSOR_KIND_METADATA_KEY, value: MCP_TOOL_LIST_PROCESSOR_KIND }] } },
  });
}

export const mcpProcessorFilter: HttpFilterModule = { name: MCP_PROCESSOR_FILTER, chainEntry, perRoute };
