/** Publishing an API version as MCP tools (`apis[].versions.<v>.mcp`). */

import type { Access } from "./apis.ts";

/**
 * Publishes this API version as Model Context Protocol tools at `path`: each tool is one of the
 * version's routes (one operation of the API's OpenAPI document, when it declares one), and each
 * tool call becomes the REST request itself — Envoy rewrites it and routes it again, so the route's
 * own identities, access rules and rate limits decide it exactly as they decide a direct call.
 * Envoy answers `initialize` itself; `tools/list` needs `access` and shows each caller only the
 * tools whose routes admit it (judged by identity, scopes, roles, groups and consumer; a tool
 * admitted by claims or client addresses alone is left out of the list, PCL4185).
 */
export interface ApiVersionMcp {
  /**
   * Path MCP clients connect to, e.g. `/mcp/orders`. The tool list is also served to the same
   * callers as JSON at `{path}/tools`.
   * @pattern ^/[A-Za-z0-9._~/-]*$
   */
  path: string;
  /**
   * Which routes become tools, by OpenAPI `operationId` or route name. Omit for every route that
   * can be one: an exact path or a `{name}` template, one method (or one OpenAPI operation per
   * method), no header condition.
   */
  tools?: string[];
  /**
   * The canonical URL of this MCP endpoint as clients reach it (RFC 8707 resource indicator), e.g.
   * `https://api.example.com/mcp/orders`; its path must be `path`. The gateway then serves its
   * protected-resource metadata (RFC 9728) at `/.well-known/oauth-protected-resource` + path and
   * names it in every 401 here, so MCP clients find where to get a token. The tokens are checked
   * by the routes' own identities: their `audiences` must accept tokens issued for this URL.
   */
  resource?: string;
  /**
   * Who may list the tools. Defaults to the version's `access`. It does not widen any tool: the
   * list a caller gets holds only the tools its routes admit, and each call is decided by its
   * route's access rules.
   */
  access?: Access;
}
