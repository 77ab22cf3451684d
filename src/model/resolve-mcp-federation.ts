/**
 * A federated MCP endpoint (`servers`): several MCP servers behind one path. Envoy does every
 * upstream request; the MCP processor picks, per request, the cluster Envoy sends it to (it sets
 * MCP_CLUSTER_HEADER): the server a tools/call's prefix names, or the fan-out cluster, which holds
 * one priority per server and whose route retries to the next priority while the processor, as
 * that cluster's upstream filter, marks each answer but the last (src/mcp/fanout-exchange.ts).
 */
import type { McpApi } from "../config/types.ts";
import type { ForwardActionIR, McpFederationIR } from "./ir.ts";
import type { ResolvedMcpServer } from "./resolve-mcp-servers.ts";
import type { Reporter } from "./report.ts";

/** Joins a server's prefix and its tool's name: `github__create_issue`. MCP tool names may hold `_`; prefixes cannot, so the first `__` ends the prefix. */
export const MCP_PREFIX_SEPARATOR = "__";
/** The cluster a federated request goes to; only the processor sets it (clients' copies are removed on arrival). */
export const MCP_CLUSTER_HEADER = "x-portcullis-mcp-cluster";
/** Set by the processor on requests sent to every server: only they are retried. */
export const MCP_FANOUT_HEADER = "x-portcullis-mcp-fanout";
/** Set by the processor on a fan-out answer that is not the last server's: Envoy then tries the next server. */
export const MCP_NEXT_SERVER_HEADER = "x-portcullis-mcp-next-server";

/** The fan-out cluster of a federated MCP API (a dot keeps it apart from provider names). */
export const mcpFanoutCluster = (api: string) => `mcp.${api}.servers`;

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

/** The federation and its endpoint's action, or undefined when it cannot be built (reported, or a server already reported unusable). */
export function resolveFederation(api: McpApi, index: number, resolved: ReadonlyMap<string, ResolvedMcpServer>, report: Reporter): { federation: McpFederationIR; action: ForwardActionIR } | undefined {
  if (!checkDistinct(api, index, report)) return undefined;
  const entries = (api.servers ?? []).map((entry) => ({ entry, server: resolved.get(entry.server) }));
  if (entries.some(({ server }) => !server)) return undefined;
  const cluster = mcpFanoutCluster(api.name);
  const servers = entries.map(({ entry, server }) => ({
    prefix: entry.prefix,
    server: entry.server,
    path: server!.path,
    hostHeader: server!.hostHeader,
    ...(server!.bearerToken ? { bearerToken: server!.bearerToken } : {}),
  }));
  // Fanned out, the servers answer one after another: the route's timeout covers them all.
  const timeoutMs = entries.reduce((sum, { server }) => sum + server!.timeoutMs, 0);
  return {
    federation: { cluster, servers },
    action: {
      kind: "forward",
      cluster,
      clusterHeader: MCP_CLUSTER_HEADER,
      timeoutMs,
      retry: {
        attempts: servers.length - 1,
        // A server that cannot be reached must not end the fan-out before the others are asked: the merge reports it.
        on: ["connect-failure", "retriable-headers"],
        statusCodes: [],
        nextPriorityEachTry: true,
        requestHeader: MCP_FANOUT_HEADER,
        responseHeader: MCP_NEXT_SERVER_HEADER,
      },
    },
  };
}
