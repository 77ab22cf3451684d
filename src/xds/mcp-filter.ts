/**
 * Envoy's mcp filter on MCP endpoint routes: it reads each POST body as one JSON-RPC message and
 * writes `method`, `id` and `params` to dynamic metadata (namespace `envoy.filters.http.mcp`),
 * where the tool rules (mcp-tool-rbac.ts) read them. Everything else is refused before any rule
 * runs: bodies that are not MCP JSON-RPC (batches included), duplicate keys (also when one is
 * written with escapes), bodies over the API's limit, and 2026-07-28 requests whose Mcp-Method /
 * Mcp-Name headers differ from the body. Envoy marks the filter work-in-progress; the shapes it
 * lets through that a server could read differently (a `Name` beside `name`) the MCP processor
 * refuses (src/mcp/strict-json.ts), and test/e2e/mcp-smuggling.test.ts proves both.
 */
import { McpOverrideSchema, McpSchema, Mcp_RequestStorageMode, Mcp_TrafficMode } from "../../generated/envoy/extensions/filters/http/mcp/v3/mcp_pb.js";
import type { GatewayIR, RouteIR } from "../model/ir.ts";
import type { HttpFilterModule } from "./filters/http-filter.ts";
import { packed, typedExtension } from "./proto.ts";
import { isMcpEndpoint, someRoute } from "../model/route-counts.ts";

export const MCP_FILTER = "envoy.filters.http.mcp";

function perRoute(route: RouteIR) {
  const mcp = route.mcp;
  if (!mcp) return undefined;
  return packed(McpOverrideSchema, {
    trafficMode: Mcp_TrafficMode.REJECT_NO_MCP,
    rejectDuplicateKeys: true,
    maxRequestBodySize: mcp.maxRequestBytes,
    requestStorageMode: Mcp_RequestStorageMode.DYNAMIC_METADATA,
  });
}

export const mcpFilter: HttpFilterModule = {
  name: MCP_FILTER,
  chainEntry: (ir: GatewayIR) =>
    someRoute(ir.routes, isMcpEndpoint)
      ? {
          ...typedExtension(MCP_FILTER, McpSchema, { trafficMode: Mcp_TrafficMode.REJECT_NO_MCP, rejectDuplicateKeys: true, requestStorageMode: Mcp_RequestStorageMode.DYNAMIC_METADATA }),
          // Off unless a route turns it on: only MCP endpoints have their bodies parsed.
          disabled: true,
        }
      : undefined,
  perRoute,
};
