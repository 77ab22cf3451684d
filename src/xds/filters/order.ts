import type { GatewayIR } from "../../model/ir.ts";
import { apiKeyAuthFilter, optionalApiKeyAuthFilter } from "./api-key-auth.ts";
import { corsFilter } from "./cors.ts";
import { extProcFilter } from "./ext-proc.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { identityHeadersFilter } from "./identity-headers.ts";
import { jwtAuthnFilter } from "./jwt-authn.ts";
import { localRateLimitFilter } from "./local-ratelimit.ts";
import { failOpenRateLimitFilter, rateLimitFilter } from "./ratelimit.ts";
import { rbacFilter } from "./rbac.ts";
import { routerFilter } from "./router.ts";
import { mcpFilter } from "../mcp-filter.ts";
import { mcpJsonRestBridgeFilter } from "../mcp-json-rest-bridge.ts";
import { mcpProcessorFilter } from "../mcp-processor-filter.ts";
import { mcpRestCallFilter } from "../mcp-rest-call-filter.ts";
import { mcpRouterFilter } from "../mcp-router.ts";
import { mcpToolRbacFilter } from "../mcp-tool-rbac.ts";

/**
 * THE order of HTTP filters on every connection manager, with the reason for each position.
 * Slots marked "later" are reserved for filters that later issues add; keep their positions.
 */
export const HTTP_FILTER_ORDER: readonly { readonly slot: string; readonly why: string; readonly module?: HttpFilterModule }[] = [
  // Preflights carry no credentials: answer them before authentication would reject them.
  { slot: "cors", why: "answer browser preflights before authentication rejects them", module: corsFilter },
  // The last place a published tool's call is still a tool call: read strictly and audited, with every refusal below passing back through.
  { slot: "ext_proc.mcp_rest_calls", why: "see each tool call of a published API version before the bridge rewrites it, and its outcome", module: mcpRestCallFilter },
  // API versions published as MCP tools: a tool call becomes its REST request and is routed afresh,
  // so everything below (identity, access, limits) is the REST route's, as for a direct call.
  { slot: "mcp_json_rest_bridge", why: "turn MCP tool calls into REST requests before identity and access are decided on the REST route", module: mcpJsonRestBridgeFilter },
  // Verifies tokens and writes claims to metadata that the access rules below read.
  { slot: "jwt_authn", why: "establish the caller's identity first", module: jwtAuthnFilter },
  // API keys: also identity, so before the access rules, which read the consumer it establishes.
  { slot: "api_key_auth", why: "establish the API-key consumer before the access rules", module: apiKeyAuthFilter },
  { slot: "api_key_auth.optional", why: "the same where a key is one credential among others", module: optionalApiKeyAuthFilter },
  { slot: "rbac", why: "access rules need the identity established above", module: rbacFilter },
  // MCP endpoints: parse the JSON-RPC body only for callers the API admits; the tool rules decide on what it read (below).
  { slot: "mcp", why: "read the MCP method and tool name that tool rules need, refusing what is not MCP", module: mcpFilter },
  { slot: "header_mutation", why: "set identity headers for upstreams after everything that decides", module: identityHeadersFilter },
  // After header_mutation: limits count by the identity headers it sets; before any expensive processing.
  { slot: "local_ratelimit", why: "count per-Envoy limits by the verified identity; shed excess load before AI/MCP processing", module: localRateLimitFilter },
  { slot: "ratelimit", why: "fleet-wide limits (rate-limit service) that fail closed, keyed like local ones", module: rateLimitFilter },
  { slot: "ratelimit.fail_open", why: "fleet-wide limits whose failureMode is allow", module: failOpenRateLimitFilter },
  // After header_mutation: the AI processor accounts usage to the identity headers it sets.
  { slot: "ext_proc", why: "AI and MCP processors see only authorized, rate-limited requests, with their verified identity", module: extProcFilter },
  { slot: "ext_proc.mcp", why: "the MCP processor: the same, on MCP endpoints and published tools' lists; it filters tools/list by the identity headers", module: mcpProcessorFilter },
  // After the MCP processor, so the calls the tool rules refuse pass through it and are audited (it answers nothing for them).
  { slot: "rbac.mcp_tools", why: "tool rules need the caller and the tool the mcp filter read; the MCP processor audits what they refuse", module: mcpToolRbacFilter },
  // Terminal for federated MCP endpoints (their servers' answers merged, calls sent by prefix); skipped on every other path.
  { slot: "mcp_router", why: "federated MCP endpoints: after the tool rules decided and the processor saw the request; the router below never runs for them", module: mcpRouterFilter },
  { slot: "router", why: "terminal filter: must be last", module: routerFilter },
];

/** Filter modules in chain order (the implemented ones). */
export const HTTP_FILTER_MODULES: readonly HttpFilterModule[] = HTTP_FILTER_ORDER.flatMap((entry) => (entry.module ? [entry.module] : []));

/** The chain for a gateway: every implemented filter that some route needs, in order. */
export function httpFilterChain(ir: GatewayIR) {
  return HTTP_FILTER_MODULES.flatMap((module) => {
    const entry = module.chainEntry(ir);
    return entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
  });
}
