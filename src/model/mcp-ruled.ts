/**
 * What an MCP API's rules govern, per kind: the methods that use one thing by name (decided by
 * Envoy's RBAC on the mcp filter's metadata) and the list answers the processor cuts down to
 * what the caller may use. Tool rules always apply; prompt and resource rules when written.
 */
export type McpRuledKind = "tools" | "prompts" | "resources";

export interface McpRuled {
  /** JSON-RPC methods that use one thing, named by `params[param]`. */
  readonly uses: readonly string[];
  readonly param: "name" | "uri";
  /** List methods, the result field holding the list, and the key each entry is matched by. */
  readonly lists: readonly { readonly method: string; readonly field: string; readonly key: string }[];
  /** The JSON-RPC error a refused use gets: what a server answers for something it does not have. */
  readonly refusal: { readonly code: number; readonly noun: string };
}

export const MCP_RULED: Readonly<Record<McpRuledKind, McpRuled>> = {
  tools: { uses: ["tools/call"], param: "name", lists: [{ method: "tools/list", field: "tools", key: "name" }], refusal: { code: -32602, noun: "Tool" } },
  prompts: { uses: ["prompts/get"], param: "name", lists: [{ method: "prompts/list", field: "prompts", key: "name" }], refusal: { code: -32602, noun: "Prompt" } },
  resources: {
    uses: ["resources/read", "resources/subscribe", "resources/unsubscribe"],
    param: "uri",
    // Templates are matched as written (`users://*` matches `users://{id}/profile`).
    lists: [
      { method: "resources/list", field: "resources", key: "uri" },
      { method: "resources/templates/list", field: "resourceTemplates", key: "uriTemplate" },
    ],
    // -32002: the MCP specification's "resource not found".
    refusal: { code: -32002, noun: "Resource" },
  },
};

export const MCP_RULED_KINDS = Object.keys(MCP_RULED) as McpRuledKind[];
