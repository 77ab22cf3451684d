/** The mcp section: MCP endpoints the gateway exposes, with per-tool authorization. */

import type { Access } from "./apis.ts";

/** An MCP endpoint the gateway exposes, with per-tool authorization. */
export interface McpApi {
  /**
   * MCP API name.
   * @pattern ^[a-z][a-z0-9-]{0,62}$
   */
  name: string;
  /** Path clients connect to, e.g. `/mcp/tools`. */
  path: string;
  /** Name of an MCP server from `providers`. */
  server: string;
  /** Who may connect at all. */
  access: Access;
  /** Which tools each caller may use; a tool no rule names is denied. */
  tools: McpToolRule[];
}

export interface McpToolRule {
  /** Tool name, or a pattern with `*`, e.g. `search_*`. */
  tool: string;
  /** Who may call the tool. */
  access: Access;
}
