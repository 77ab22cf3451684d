/**
 * How Envoy answers MCP clients itself. A 401 on an MCP endpoint names the API's protected-resource
 * metadata (`WWW-Authenticate: Bearer resource_metadata="…"`, MCP authorization spec, RFC 9728 §5.1),
 * where clients discover the authorization server. A `tools/call` the tool rules refuse is answered
 * as the JSON-RPC error of that request, with HTTP 200: MCP clients (the official SDKs) treat any
 * non-2xx answer to a POST as a transport failure, and on 403 start a new authorization for more
 * scopes, which a tool rule by role or consumer never grants; a JSON-RPC error reaches the agent as
 * the result of its call and leaves the session usable. The code is -32602 (invalid params), what
 * servers answer for a tool they do not have: to this caller the tool does not exist (it is not in
 * its tools/list either). The access log keeps the refusal (response code details name RBAC).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AccessLogFilterSchema } from "../../generated/envoy/config/accesslog/v3/accesslog_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { type ProblemMapper, statusIs } from "./local-replies.ts";
import { MCP_FILTER } from "./mcp-filter.ts";
import { escapeRegex, sortedJson } from "./proto.ts";

type Filter = MessageInitShape<typeof AccessLogFilterSchema>;

const and = (filters: Filter[]): Filter => ({ filterSpecifier: { case: "andFilter", value: { filters } } });

/** The request is a tools/call, as Envoy's mcp filter read it (so the tool rules, not the API's access, refused it). */
const TOOL_CALL: Filter = {
  filterSpecifier: {
    case: "metadataFilter",
    value: {
      matcher: { filter: MCP_FILTER, path: [{ segment: { case: "key", value: "method" } }], value: { matchPattern: { case: "stringMatch", value: { matchPattern: { case: "exact", value: "tools/call" } } } } },
      // Envoy's default is to match when the key is missing: a request the mcp filter never read (refused by the API's own access rules) is no tool call.
      matchIfKeyNotFound: false,
    },
  },
};

/** The request's path (query string aside) is the MCP endpoint's. */
function pathIs(path: string): Filter {
  return { filterSpecifier: { case: "headerFilter", value: { header: { name: ":path", headerMatchSpecifier: { case: "stringMatch", value: { matchPattern: { case: "safeRegex", value: { regex: `^${escapeRegex(path)}(\\?.*)?$` } } } } } } } };
}

/** -32602: what a server answers for a tool it does not have. */
export const TOOL_REFUSED_CODE = -32602;

const TOOL_REFUSED = {
  filter: and([statusIs(403), TOOL_CALL]),
  statusCode: 200,
  bodyFormatOverride: {
    format: {
      case: "jsonFormat" as const,
      value: sortedJson({
        jsonrpc: "2.0",
        id: `%DYNAMIC_METADATA(${MCP_FILTER}:id)%`,
        error: { code: TOOL_REFUSED_CODE, message: `Tool %DYNAMIC_METADATA(${MCP_FILTER}:params:name)% is not available to this caller.`, data: { request_id: "%REQ(X-REQUEST-ID)%" } },
      }),
    },
    contentType: "application/json",
  },
};

export function mcpReplyMappers(ir: GatewayIR, problem: ProblemMapper) {
  const apis = ir.mcp?.apis ?? [];
  if (apis.length === 0) return [];
  const challenges = apis.flatMap((api) => (api.resourceMetadataUrl ? [problem(401, and([statusIs(401), pathIs(api.path)]), [`Bearer resource_metadata="${api.resourceMetadataUrl}"`])] : []));
  return [TOOL_REFUSED, ...challenges];
}
