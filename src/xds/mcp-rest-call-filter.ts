/**
 * The MCP processor in front of Envoy's JSON-REST bridge, on the endpoints of API versions
 * published as tools: the only place a tool call is still a tool call (its name and arguments)
 * before the bridge turns it into the REST request. The processor reads the body strictly (what
 * the bridge could read differently is refused), and on the answer — which every later filter's
 * refusal passes back through — records the call in the MCP audit. Who called is read at answer
 * time from the identity headers the gateway set on the rewritten request (response attributes),
 * and which route decided from the route name.
 */
import { ExternalProcessorSchema, ExtProcPerRouteSchema } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ProcessingMode_BodySendMode as Body, ProcessingMode_HeaderSendMode as Headers } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import type { GatewayIR, IdentityHeadersIR, JwtProviderIR, RouteIR } from "../model/ir.ts";
import { processorService } from "./filters/ext-proc.ts";
import type { HttpFilterModule } from "./filters/http-filter.ts";
import { RESPONSE_CODE_DETAILS } from "./mcp-processor-filter.ts";
import { duration, packed, typedExtension } from "./proto.ts";

export const MCP_REST_CALL_FILTER = "envoy.filters.http.ext_proc.mcp_rest_calls";
/** The processor kind of these streams (PROCESSOR_KIND_METADATA_KEY). */
export const MCP_REST_CALL_PROCESSOR_KIND = "mcp-rest-call";
/** The route the rewritten request was sent on: the REST route of the tool, or the tool-list route. */
export const ROUTE_NAME_ATTRIBUTE = "xds.route_name";

/** The CEL expression Envoy evaluates for the value of one request header when the answer passes (its key in the attributes). */
export const requestHeaderAttribute = (name: string) => `request.headers['${name}']`;

/** The identity headers the audit record takes: set after the rewritten request was admitted, absent when it was refused. */
export const auditedIdentityHeaders = (headers: IdentityHeadersIR) => [headers.identity, headers.subject, headers.consumer];

/**
 * Who a refused call came from: the subject claim of each JWT identity's verified token, where
 * jwt_authn stored it (under the identity's name), when no rule admitted the caller.
 */
export function verifiedSubjectAttributes(providers: readonly JwtProviderIR[]): { readonly identity: string; readonly attribute: string }[] {
  const key = (segment: string) => `['${segment.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}']`;
  return providers.map((provider) => ({
    identity: provider.name,
    attribute: `metadata.filter_metadata['envoy.filters.http.jwt_authn']${key(provider.name)}${provider.claims.subject.split(".").map(key).join("")}`,
  }));
}

const MODE = { requestHeaderMode: Headers.SEND, requestBodyMode: Body.BUFFERED, responseHeaderMode: Headers.SEND, responseBodyMode: Body.NONE, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP };

function chainEntry(ir: GatewayIR) {
  if (!ir.mcp || ir.mcp.restTools.length === 0) return undefined;
  return {
    ...typedExtension(MCP_REST_CALL_FILTER, ExternalProcessorSchema, {
      grpcService: processorService(ir.mcp.processor.cluster, ir, MCP_REST_CALL_PROCESSOR_KIND),
      // Fail closed: a call the processor cannot see is not audited, so it is not made.
      failureModeAllow: false,
      messageTimeout: duration(5_000),
      mutationRules: { disallowIsError: true },
      processingMode: MODE,
      responseAttributes: [
        RESPONSE_CODE_DETAILS,
        ROUTE_NAME_ATTRIBUTE,
        ...auditedIdentityHeaders(ir.identityHeaders).map(requestHeaderAttribute),
        ...verifiedSubjectAttributes(ir.jwtProviders).map((entry) => entry.attribute),
      ],
      statPrefix: "mcp_rest_calls",
    }),
    disabled: true,
  };
}

export const mcpRestCallFilter: HttpFilterModule = {
  name: MCP_REST_CALL_FILTER,
  chainEntry,
  perRoute: (route: RouteIR) => (route.mcpRestTools ? packed(ExtProcPerRouteSchema, { override: { case: "overrides", value: { processingMode: MODE } } }) : undefined),
};
