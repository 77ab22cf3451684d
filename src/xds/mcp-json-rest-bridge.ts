/**
 * Envoy's mcp_json_rest_bridge filter on the endpoints of API versions published as MCP tools
 * (src/model/resolve-mcp-rest-tools.ts). It answers `initialize` itself, turns `tools/list` into a
 * GET of the endpoint's tool-list route and each `tools/call` into the REST request of its tool
 * (method, path with the path arguments escaped and `..` refused, the other arguments as query
 * parameters, the body argument as the JSON body), then clears the route cache: the rewritten
 * request is routed afresh, and identities, access rules and rate limits — which come after this
 * filter — are those of the REST route, exactly as for a direct call. The REST answer comes back as
 * the tools/call result (its body as text, `isError` from a status ≥ 400; 401 and 403 keep their
 * status, as the MCP authorization spec asks). The filter sits before identity and access, so
 * `initialize` (which reveals only the server name) needs no credential; the tool list and every
 * call do, and the MCP processor cuts the list down to the tools the caller's routes admit
 * (src/mcp/tool-list-exchange.ts). Envoy marks the filter work-in-progress; test/e2e/mcp-rest-tools.test.ts proves what it
 * is relied on for.
 */
import {
  type HttpRuleSchema,
  McpJsonRestBridgePerRouteSchema,
  McpJsonRestBridgeSchema,
} from "../../generated/envoy/extensions/filters/http/mcp_json_rest_bridge/v3/mcp_json_rest_bridge_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GatewayIR, McpRestToolIR, RouteIR } from "../model/ir.ts";
import type { HttpFilterModule } from "./filters/http-filter.ts";
import { packed, typedExtension } from "./proto.ts";
import { publishesTools, someRoute } from "../model/route-counts.ts";

export const MCP_JSON_REST_BRIDGE_FILTER = "envoy.filters.http.mcp_json_rest_bridge";

type HttpRule = MessageInitShape<typeof HttpRuleSchema>;

function httpRule(tool: McpRestToolIR): HttpRule {
  const method = tool.method === "DELETE" ? "delete" : (tool.method.toLowerCase() as "get" | "put" | "post" | "patch");
  return { [method]: tool.path, ...(tool.bodyArgument !== undefined ? { body: tool.bodyArgument } : {}) };
}

function perRoute(route: RouteIR) {
  const endpoint = route.mcpRestTools;
  if (!endpoint) return undefined;
  return packed(McpJsonRestBridgePerRouteSchema, {
    toolConfig: [
      {
        // Any host: the route's virtual hosts already chose who gets here.
        defaultServerInfo: { path: endpoint.path },
        toolListConfig: { case: "toolListHttpRule", value: { get: endpoint.toolsListPath } },
        tools: endpoint.tools.map((tool) => ({ name: tool.name, httpRule: httpRule(tool) })),
      },
    ],
  });
}

export const mcpJsonRestBridgeFilter: HttpFilterModule = {
  name: MCP_JSON_REST_BRIDGE_FILTER,
  chainEntry: (ir: GatewayIR) =>
    someRoute(ir.routes, publishesTools)
      ? // Only routes that carry its per-route config (the tool endpoints) are bridged; every other request passes untouched.
        typedExtension(MCP_JSON_REST_BRIDGE_FILTER, McpJsonRestBridgeSchema, { perRouteOnly: true })
      : undefined,
  perRoute,
};
