/**
 * A federated MCP endpoint (`servers`): several MCP servers behind one path. Envoy's mcp_router
 * answers for them all (src/xds/mcp-router.ts): it fans initialize and tools/list out to every
 * server and merges the answers, naming each tool `<prefix>__<tool>`, and sends each tools/call to
 * the server its prefix names, without the prefix. The route's own action only runs if the router
 * did not, and then answers an error: a request never reaches a server unrouted.
 */
import type { McpApi } from "../config/types.ts";
import type { McpFederatedServerIR, RespondActionIR } from "./ir.ts";
import type { ResolvedMcpServer } from "./resolve-mcp-servers.ts";
import type { Reporter } from "./report.ts";

/** How Envoy's mcp_router joins a server's prefix and its tool's name: `github__create_issue`. */
export const MCP_PREFIX_SEPARATOR = "__";

/** The federated endpoint's route action: the mcp_router answers before it, so this is never seen unless something is amiss. */
export const NOT_ROUTED: RespondActionIR = {
  kind: "respond",
  contentType: "application/json",
  body: JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "The gateway did not route this MCP request to a server." } }),
};

/** Both `server` and `servers`, or neither: the API has no one way to reach its servers. */
export function checkServerChoice(api: McpApi, index: number, report: Reporter): boolean {
  if ((api.server === undefined) !== (api.servers === undefined)) return true;
  const both = api.server !== undefined;
  report.error(
    "PCL4136",
    both ? `MCP API "${api.name}" sets both server and servers.` : `MCP API "${api.name}" names no server.`,
    both ? ["mcp", index, "servers"] : ["mcp", index],
    both ? "Keep server for one MCP server, or servers (each with a prefix) for several." : 'Add server: "<an MCP provider>", or servers: [{ server, prefix }] for several.',
  );
  return false;
}

/** Each prefix and each server once: a tool name must lead to one server. */
function checkDistinct(api: McpApi, index: number, report: Reporter): boolean {
  const prefixes = new Set<string>();
  const servers = new Set<string>();
  let distinct = true;
  for (const [serverIndex, entry] of (api.servers ?? []).entries()) {
    const at = ["mcp", index, "servers", serverIndex];
    if (prefixes.has(entry.prefix)) {
      report.error("PCL4137", `Two servers of MCP API "${api.name}" have the prefix "${entry.prefix}", so their tool names would clash.`, [...at, "prefix"], "Give each server its own prefix.");
      distinct = false;
    }
    if (servers.has(entry.server)) {
      report.error("PCL4138", `MCP API "${api.name}" names server "${entry.server}" twice: each of its tools would be listed twice.`, [...at, "server"], "Name each server once.");
      distinct = false;
    }
    prefixes.add(entry.prefix);
    servers.add(entry.server);
  }
  return distinct;
}

/** The federated servers, or undefined when they cannot be used (reported, or a server already reported unusable). */
export function resolveFederation(api: McpApi, index: number, resolved: ReadonlyMap<string, ResolvedMcpServer>, report: Reporter): readonly McpFederatedServerIR[] | undefined {
  if (!checkDistinct(api, index, report)) return undefined;
  const entries = (api.servers ?? []).map((entry) => ({ entry, server: resolved.get(entry.server) }));
  if (entries.some(({ server }) => !server)) return undefined;
  return entries.map(({ entry, server }) => ({
    prefix: entry.prefix,
    server: entry.server,
    path: server!.path,
    hostHeader: server!.hostHeader,
    timeoutMs: server!.timeoutMs,
    ...(server!.bearerToken ? { bearerToken: server!.bearerToken } : {}),
  }));
}
