/** The mcp section: MCP endpoints the gateway exposes, with per-tool authorization. */

import type { Access } from "./apis.ts";

/**
 * An MCP endpoint the gateway exposes (Streamable HTTP), with per-tool authorization. Envoy parses
 * every request at this path (only MCP JSON-RPC is let through, duplicate keys are refused) and
 * decides each `tools/call` by the tool rules; the MCP processor refuses the shapes a lenient
 * parser would read differently than the server and filters `tools/list` answers to the tools the
 * caller may use.
 */
export interface McpApi {
  /**
   * MCP API name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Path clients connect to, e.g. `/mcp/tools`. The server is reached at its own URL's path. */
  path: string;
  /** Name of an MCP server from `providers`. Or `servers`, for several behind this endpoint. */
  server?: string;
  /**
   * Several MCP servers behind this one endpoint (federation), instead of `server`: clients see
   * one server whose tools are each server's, named `<prefix>__<tool>`. Envoy's mcp_router
   * initializes every server, lists and merges their tools, sends each call to the server its
   * prefix names (without the prefix, with that server's own `bearerToken`), and keeps one session
   * across them, bound to the caller that opened it. Tool rules name the prefixed names
   * (`github__*`).
   * @minItems 1
   */
  servers?: McpFederatedServer[];
  /** Who may connect at all (initialize, list tools); each tool call must also pass its tool rule. */
  access: Access;
  /** Which tools each caller may use; a tool no rule names is denied, and left out of the caller's `tools/list`. */
  tools: McpToolRule[];
  /**
   * Which prompts each caller may get (`prompts/get`), the first matching rule deciding; a prompt
   * no rule names is denied and left out of the caller's `prompts/list`. Omit to leave every
   * prompt to the callers `access` admits.
   */
  prompts?: McpPromptRule[];
  /**
   * Which resources each caller may read or subscribe to, by URI, the first matching rule
   * deciding; a resource no rule names is denied and left out of the caller's `resources/list`
   * (and templates no rule matches as written, of `resources/templates/list`). Omit to leave every
   * resource to the callers `access` admits.
   */
  resources?: McpResourceRule[];
  /**
   * The canonical URL of this MCP endpoint as clients reach it (RFC 8707 resource indicator), e.g.
   * `https://gateway.example.com/mcp/tools`; its path must be `path`. Required when `access` names
   * a JWT identity: the gateway then serves its protected-resource metadata (RFC 9728) at
   * `/.well-known/oauth-protected-resource` + path, points 401 answers there, and admits only
   * tokens whose `aud` holds this URL.
   */
  resource?: string;
  /**
   * Largest request body the gateway reads, in bytes; a larger request is refused (400)
   * before the server sees it.
   * @default 65536
   * @asType integer
   * @minimum 1024
   * @maximum 16777216
   */
  maxRequestBytes?: number;
}

/** One server of a federated MCP endpoint. */
export interface McpFederatedServer {
  /** Name of an MCP server from `providers`. */
  server: string;
  /**
   * What its tools are named with at this endpoint: `<prefix>__<tool>`, e.g. `github` gives
   * `github__create_issue`. Two underscores join them (MCP tool names may hold letters, digits,
   * `_`, `-` and `.`); a prefix has no `_`, so the first `__` of a name always ends the prefix.
   * @pattern ^[a-z][a-z0-9-]{0,31}$
   */
  prefix: string;
}

export interface McpPromptRule {
  /** Prompt name, or a pattern with `*`, e.g. `review_*`. */
  prompt: string;
  /** Who may get the prompt: `public` for every caller `access` admits, or allow rules as for tools. */
  access: Access;
}

export interface McpResourceRule {
  /** Resource URI, or a pattern with `*`, e.g. `docs://public/*`. */
  uri: string;
  /** Who may read the resource: `public` for every caller `access` admits, or allow rules as for tools. */
  access: Access;
}

export interface McpToolRule {
  /** Tool name, or a pattern with `*`, e.g. `search_*`. */
  tool: string;
  /**
   * Who may call the tool: `public` for every caller `access` admits, or allow rules by
   * identity, scopes, roles, groups, consumers or SPIFFE IDs.
   */
  access: Access;
}
