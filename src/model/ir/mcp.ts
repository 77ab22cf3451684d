/** The MCP gateway part of the IR: MCP APIs, their rules and servers, and API versions published as tools. */
import type { AccessIR } from "../ir.ts";
import type { SecretValue } from "../secret-value.ts";
import type { AiProcessorAddressIR } from "./ai.ts";

/** The MCP gateway: MCP APIs whose tool calls Envoy authorizes and whose tool lists the processor filters. */
export interface McpIR {
  /** Where Envoy reaches the processor (the AI processor's, when there is an `ai` section). */
  readonly processor: { readonly address: AiProcessorAddressIR; readonly cluster: string };
  /** In config order. */
  readonly apis: readonly McpApiIR[];
  /** API versions published as MCP tools, by API and version: the processor filters their tool lists to each caller's tools and audits their calls. */
  readonly restTools: readonly McpRestToolsRouteIR[];
}

export interface McpApiIR {
  readonly name: string;
  /** The path clients connect to. */
  readonly path: string;
  /** The MCP provider (and its cluster's) name. */
  readonly server: string;
  /** In config order: the first rule whose pattern matches a tool decides. */
  readonly tools: readonly McpRuleIR[];
  /** The same for prompts by name; absent: every prompt is open to the callers the API admits. */
  readonly prompts?: readonly McpRuleIR[];
  /** The same for resources by URI; absent: every resource is open to the callers the API admits. */
  readonly resources?: readonly McpRuleIR[];
  /** The RFC 8707 resource URL; absent when no JWT identity may connect. */
  readonly resource?: string;
  /** The RFC 9728 metadata document's URL, named in 401 challenges. */
  readonly resourceMetadataUrl?: string;
  readonly maxRequestBytes: number;
  /** Sent to the server as `Authorization: Bearer …` by the processor. Never printed. */
  readonly bearerToken?: SecretValue;
  /** Several servers behind this endpoint (`servers`), in config order; `server` is then the first one's. */
  readonly federation?: readonly McpFederatedServerIR[];
}

/**
 * One server of a federated MCP endpoint. Envoy's mcp_router answers initialize and tools/list
 * for all of them (fanned out, tools named `<prefix>__<tool>`) and sends each call to the server
 * its prefix names, without the prefix; the processor gives each server its own credential as an
 * upstream filter of the server's cluster.
 */
export interface McpFederatedServerIR {
  readonly prefix: string;
  /** The MCP provider (and its cluster's) name. */
  readonly server: string;
  /** The path and Host header the server takes. */
  readonly path: string;
  readonly hostHeader: string;
  readonly timeoutMs: number;
  /** Sent to this server as `Authorization: Bearer …` by the processor. Never printed. */
  readonly bearerToken?: SecretValue;
}

/** One rule for the tools, prompts or resources of an MCP API whose names (URIs) its pattern matches. */
export interface McpRuleIR {
  /** As written: a name (URI), or a pattern with `*`. */
  readonly pattern: string;
  readonly access: AccessIR;
}

/** What the filters of an MCP endpoint route need: the API, its body limit and its rules. */
export interface McpRouteIR {
  readonly api: string;
  readonly maxRequestBytes: number;
  readonly tools: readonly McpRuleIR[];
  readonly prompts?: readonly McpRuleIR[];
  readonly resources?: readonly McpRuleIR[];
}

/**
 * An API version published as MCP tools (`apis[].versions.<v>.mcp`), on its endpoint route: what
 * Envoy's mcp_json_rest_bridge filter needs to answer initialize, send tools/list to the tool-list
 * route and turn each tools/call into the REST request of its tool.
 */
export interface McpRestToolsRouteIR {
  /** `api@version`: the MCP API name in audit records. */
  readonly name: string;
  /** The endpoint path (the bridge's endpoint key). */
  readonly path: string;
  /** The route that answers tools/list (a GET the bridge makes of it, decided by the endpoint's access). */
  readonly toolsListPath: string;
  /** The RFC 9728 metadata document's URL, which the processor names in every 401 at this endpoint. */
  readonly resourceMetadataUrl?: string;
  /** Sorted by name. */
  readonly tools: readonly McpRestToolIR[];
}

export interface McpRestToolIR {
  /** The tool name: the OpenAPI operationId, or the route name. */
  readonly name: string;
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** The REST path as clients send it, `{argument}` where a path argument goes. */
  readonly path: string;
  /** The argument sent as the JSON request body; absent: no body. Other arguments go to the query string. */
  readonly bodyArgument?: string;
  /** The id of the route that takes the call (for review: Envoy routes the rewritten request afresh). */
  readonly route: string;
  /**
   * That route's access, which decides each call in Envoy; the processor shows the tool in
   * tools/list only to callers it admits (rules on claims or client addresses admit nobody there:
   * the list filter sees the identity headers alone).
   */
  readonly access: AccessIR;
}
