/**
 * Envoy's mcp_router on each federated MCP endpoint (McpApiIR.federation): it answers initialize
 * and tools/list for all the endpoint's servers (fanned out, merged, tools named
 * `<prefix>__<tool>`), sends each tools/call to the server its prefix names without the prefix,
 * and keeps one composite session (each server's own session id inside). It takes no per-route
 * config, so each endpoint gets its own instance, skipped for every other path; it sits after the
 * tool rules and the MCP processor, so a refused call never reaches it and its answers (tools/list
 * included) pass back through the processor. It reads what Envoy's mcp filter parsed.
 */
import { ExtensionWithMatcherSchema } from "../../generated/envoy/extensions/common/matching/v3/extension_matcher_pb.js";
import { SkipFilterSchema } from "../../generated/envoy/extensions/filters/common/matcher/action/v3/skip_action_pb.js";
import { McpRouterSchema } from "../../generated/envoy/extensions/filters/http/mcp_router/v3/mcp_router_pb.js";
import { HttpRequestHeaderMatchInputSchema } from "../../generated/envoy/type/matcher/v3/http_inputs_pb.js";
import type { GatewayIR, McpApiIR, McpFederatedServerIR } from "../model/ir.ts";
import type { HttpFilterModule } from "./filters/http-filter.ts";
import { duration, packed, typedExtension } from "./proto.ts";

export const MCP_ROUTER_FILTER = "envoy.filters.http.mcp_router";

/** The server's name in the router is its prefix: the router names tools `<name>__<tool>`. */
function backend(server: McpFederatedServerIR) {
  return { name: server.prefix, mcpCluster: { cluster: server.server, path: server.path, hostRewriteLiteral: server.hostHeader, timeout: duration(server.timeoutMs) } };
}

/** True for the endpoint's path, with or without a query, as its route matches it (`:path` is normalized before filters run). */
function endpointPath(path: string) {
  const input = { name: "path", typedConfig: packed(HttpRequestHeaderMatchInputSchema, { headerName: ":path" }) };
  const matching = (value: { case: "exact" | "prefix"; value: string }) => ({ matchType: { case: "singlePredicate" as const, value: { input, matcher: { case: "valueMatch" as const, value: { matchPattern: value } } } } });
  return { matchType: { case: "orMatcher" as const, value: { predicate: [matching({ case: "exact", value: path }), matching({ case: "prefix", value: `${path}?` })] } } };
}

function routerFor(api: McpApiIR) {
  const router = { name: MCP_ROUTER_FILTER, typedConfig: packed(McpRouterSchema, { servers: api.federation!.map(backend) }) };
  const skip = { onMatch: { case: "action" as const, value: { name: "skip", typedConfig: packed(SkipFilterSchema, {}) } } };
  return typedExtension(`${MCP_ROUTER_FILTER}.${api.name}`, ExtensionWithMatcherSchema, {
    extensionConfig: router,
    // Skipped unless the request is for this endpoint.
    xdsMatcher: { matcherType: { case: "matcherList", value: { matchers: [{ predicate: { matchType: { case: "notMatcher", value: endpointPath(api.path) } }, onMatch: skip }] } } },
  });
}

export const mcpRouterFilter: HttpFilterModule = {
  name: MCP_ROUTER_FILTER,
  chainEntry: (ir: GatewayIR) => (ir.mcp?.apis ?? []).filter((api) => api.federation).map(routerFor),
};
