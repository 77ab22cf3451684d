/** What MCP endpoint routes (src/model/resolve-mcp.ts) add to an Envoy route beyond match, action and filters. */
import type { RouteIR } from "../model/ir.ts";

/**
 * The mcp filter and the processor read a request whole; the route's buffer allowance must hold
 * the API's largest request (the listener's connection buffer, 32 KiB by default, would cap it).
 */
export function mcpRouteFields(route: RouteIR) {
  return route.mcp ? { requestBodyBufferLimit: BigInt(route.mcp.maxRequestBytes) } : {};
}
