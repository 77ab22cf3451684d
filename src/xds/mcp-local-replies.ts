/**
 * How Envoy answers MCP clients itself. A 401 on an MCP endpoint names the API's protected-resource
 * metadata (`WWW-Authenticate: Bearer resource_metadata="…"`, MCP authorization spec, RFC 9728 §5.1),
 * where clients discover the authorization server. A `tools/call` the tool rules refuse (and a
 * `prompts/get` or `resources/read` the prompt or resource rules refuse) is answered as the
 * JSON-RPC error of that request, with HTTP 200: MCP clients (the official SDKs) treat any non-2xx
 * answer to a POST as a transport failure, and on 403 start a new authorization for more scopes,
 * which a rule by role or consumer never grants; a JSON-RPC error reaches the agent as the result
 * of its call and leaves the session usable. The code is what servers answer for a thing they do
 * not have (-32602 invalid params for tools and prompts, -32002 for resources): to this caller it
 * does not exist (it is not in its lists either). The access log keeps the refusal (response code
 * details name RBAC).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AccessLogFilterSchema } from "../../generated/envoy/config/accesslog/v3/accesslog_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { MCP_RULED, MCP_RULED_KINDS, type McpRuledKind } from "../model/mcp-ruled.ts";
import { type ProblemMapper, statusIs } from "./local-replies.ts";
import { MCP_FILTER } from "./mcp-filter.ts";
import { escapeRegex, sortedJson } from "./proto.ts";

type Filter = MessageInitShape<typeof AccessLogFilterSchema>;

const and = (filters: Filter[]): Filter => ({ filterSpecifier: { case: "andFilter", value: { filters } } });

/** The request uses a thing of this kind, as Envoy's mcp filter read it (so the rules, not the API's access, refused it). */
function usesOf(kind: McpRuledKind): Filter {
  const filters = MCP_RULED[kind].uses.map((method): Filter => ({
    filterSpecifier: {
      case: "metadataFilter",
      value: {
        matcher: { filter: MCP_FILTER, path: [{ segment: { case: "key", value: "method" } }], value: { matchPattern: { case: "stringMatch", value: { matchPattern: { case: "exact", value: method } } } } },
        // Envoy's default is to match when the key is missing: a request the mcp filter never read (refused by the API's own access rules) is no use of a thing.
        matchIfKeyNotFound: false,
      },
    },
  }));
  return filters.length === 1 ? filters[0]! : { filterSpecifier: { case: "orFilter", value: { filters } } };
}

/** The request's path (query string aside) is the MCP endpoint's. */
function pathIs(path: string): Filter {
  return { filterSpecifier: { case: "headerFilter", value: { header: { name: ":path", headerMatchSpecifier: { case: "stringMatch", value: { matchPattern: { case: "safeRegex", value: { regex: `^${escapeRegex(path)}(\\?.*)?$` } } } } } } } };
}

function refused(kind: McpRuledKind) {
  const { refusal, param } = MCP_RULED[kind];
  return {
    filter: and([statusIs(403), usesOf(kind)]),
    statusCode: 200,
    bodyFormatOverride: {
      format: {
        case: "jsonFormat" as const,
        value: sortedJson({
          jsonrpc: "2.0",
          id: `%DYNAMIC_METADATA(${MCP_FILTER}:id)%`,
          error: { code: refusal.code, message: `${refusal.noun} %DYNAMIC_METADATA(${MCP_FILTER}:params:${param})% is not available to this caller.`, data: { request_id: "%REQ(X-REQUEST-ID)%" } },
        }),
      },
      contentType: "application/json",
    },
  };
}

export function mcpReplyMappers(ir: GatewayIR, problem: ProblemMapper) {
  const apis = ir.mcp?.apis ?? [];
  if (apis.length === 0) return [];
  const kinds = MCP_RULED_KINDS.filter((kind) => apis.some((api) => api[kind] !== undefined));
  const challenges = apis.flatMap((api) => (api.resourceMetadataUrl ? [problem(401, and([statusIs(401), pathIs(api.path)]), [`Bearer resource_metadata="${api.resourceMetadataUrl}"`])] : []));
  return [...kinds.map(refused), ...challenges];
}
