/**
 * The `mcp` section, MCP providers and API versions published as tools → the MCP IR, the servers'
 * clusters and the routes: one endpoint route per MCP API (an ordinary RouteIR, so identities and
 * access rules apply exactly as to any API route, plus the `mcp` marker that turns on Envoy's mcp
 * filter, the tool rules and the MCP processor), the protected-resource metadata documents
 * (RFC 9728) Envoy serves itself, and the endpoint and tool-list routes of each published version
 * (src/model/resolve-mcp-rest-tools.ts).
 */
import type { ModelPath } from "../config/locate.ts";
import type { GatewayConfig, McpApi, McpServerProvider } from "../config/types.ts";
import type { AccessIR, AiProcessorAddressIR, ClusterIR, ForwardActionIR, McpApiIR, McpFederatedServerIR, McpIR, McpRuleIR, RespondActionIR, RouteIR, SecretIR } from "./ir.ts";
import { joinPath } from "./paths.ts";
import type { Reporter } from "./report.ts";
import { type AccessInputs, resolveAccess } from "./resolve-access.ts";
import { AI_PROCESSOR_CLUSTER, DEFAULT_AI_PROCESSOR_ADDRESS } from "./resolve-ai.ts";
import { checkServerChoice, NOT_ROUTED, resolveFederation } from "./resolve-mcp-federation.ts";
import { MCP_API, jwtRules, metadataDocument, metadataRoute, PROTECTED_RESOURCE_METADATA_PATH, resourceUrl } from "./mcp-resource-metadata.ts";
import { MCP_RULED, type McpRuledKind } from "./mcp-ruled.ts";
import { resolveMcpRestTools } from "./resolve-mcp-rest-tools.ts";
import { mcpServerCluster, type ResolvedMcpServer } from "./resolve-mcp-servers.ts";
import type { SecretValue } from "./secret-value.ts";
import { readSecret, type SecretSource } from "./secrets.ts";

export const DEFAULT_MCP_MAX_REQUEST_BYTES = 65_536;
/** Tool calls can run long and a GET stream stays open: a whole answer must fit (clients reconnect after). */
const DEFAULT_MCP_REQUEST_TIMEOUT_MS = 300_000;

export interface McpInputs {
  readonly hostnames: readonly string[];
  readonly access: AccessInputs;
  readonly source: SecretSource;
  readonly report: Reporter;
  readonly secrets: SecretIR[];
  /** The AI processor's address when there is an `ai` section: one processor serves both. */
  readonly processor?: AiProcessorAddressIR;
}

export interface McpResolution {
  readonly mcp?: McpIR;
  readonly clusters: readonly ClusterIR[];
  readonly routes: readonly RouteIR[];
}

const mcpServers = (config: GatewayConfig) =>
  Object.entries(config.providers ?? {})
    .filter((entry): entry is [string, McpServerProvider] => entry[1].type === "mcp")
    .sort(([a], [b]) => (a < b ? -1 : 1));

/** JWT callers must hold a token issued for this resource (RFC 8707): `aud` holds the resource URL. */
function withAudience(access: AccessIR, resource: string | undefined): AccessIR {
  if (access.kind !== "identities" || resource === undefined) return access;
  const rules = access.rules.map((rule) =>
    rule.identityType === "jwt" ? { ...rule, claims: [...rule.claims, { name: "aud", values: [resource] }].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) } : rule,
  );
  return { ...access, rules };
}

const RULE_NOUN = { tools: "Tool", prompts: "Prompt", resources: "Resource" } as const;

/** The rules of one kind as written: their pattern and access. */
function writtenRules(api: McpApi, kind: McpRuledKind): { pattern: string; access: McpApi["access"] }[] | undefined {
  if (kind === "tools") return (api.tools ?? []).map((rule) => ({ pattern: rule.tool, access: rule.access }));
  if (kind === "prompts") return api.prompts?.map((rule) => ({ pattern: rule.prompt, access: rule.access }));
  return api.resources?.map((rule) => ({ pattern: rule.uri, access: rule.access }));
}

/** Rules are checked twice: by Envoy on each use, and by the processor on each list, which sees only the identity headers. */
function resolveRules(api: McpApi, index: number, kind: McpRuledKind, inputs: McpInputs): McpRuleIR[] | undefined {
  return writtenRules(api, kind)?.map((rule, ruleAt) => {
    const path = ["mcp", index, kind, ruleAt, "access"];
    const access = resolveAccess(rule.access, inputs.access, path);
    for (const [allowAt, allow] of (access.kind === "identities" ? access.rules : []).entries()) {
      const unchecked = [...(allow.claims.length > 0 ? ["claims"] : []), ...(allow.clientCidrs.length > 0 ? ["clientCidrs"] : [])];
      if (unchecked.length === 0) continue;
      inputs.report.error(
        "PCL4126",
        `${RULE_NOUN[kind]} rule for "${rule.pattern}" sets ${unchecked.join(" and ")}, which ${kind.slice(0, -1)} rules do not support yet: ${MCP_RULED[kind].lists[0]!.method} could not be filtered by them.`,
        [...path, "allow", allowAt],
        `Use identity, scopes, roles, groups, consumers or spiffeIds in ${kind.slice(0, -1)} rules; put client address conditions in the API's access.`,
      );
    }
    return { pattern: rule.pattern, access };
  });
}

/** An MCP API path (or a metadata path) that an API route takes exactly would shadow it or be shadowed. */
function checkPathsFree(routes: readonly { readonly route: RouteIR; readonly at: ModelPath }[], taken: readonly RouteIR[], report: Reporter): void {
  if (routes.length === 0) return;
  const takenPaths = new Map(taken.filter((route) => route.match.kind === "exact").map((route) => [route.match.path, route.id]));
  for (const { route, at } of routes) {
    const other = takenPaths.get(route.match.path);
    if (other) report.error("PCL4123", `MCP route ${route.id} takes ${route.match.path}, which route ${other} takes too.`, at, "Give each MCP API a path that no API route uses.");
  }
}

/** Where an MCP API's requests go: its one server, or its federation's servers. */
interface McpUpstream {
  readonly server: string;
  readonly action: ForwardActionIR | RespondActionIR;
  readonly bearerToken?: SecretValue;
  readonly federation?: readonly McpFederatedServerIR[];
}

function singleServer(server: ResolvedMcpServer): McpUpstream {
  return {
    server: server.cluster.name,
    action: { kind: "forward", cluster: server.cluster.name, timeoutMs: server.timeoutMs, rewrite: { prefix: server.path, host: server.hostHeader } },
    ...(server.bearerToken ? { bearerToken: server.bearerToken } : {}),
  };
}

function upstreamOf(api: McpApi, index: number, servers: ReadonlyMap<string, ResolvedMcpServer>, report: Reporter): McpUpstream | undefined {
  if (!checkServerChoice(api, index, report)) return undefined;
  if (api.server !== undefined) {
    const server = servers.get(api.server);
    return server && singleServer(server); // a missing or unusable server is reported already
  }
  const federation = resolveFederation(api, index, servers, report);
  return federation && { server: federation[0]!.server, action: NOT_ROUTED, federation };
}

function resolveApi(api: McpApi, index: number, upstream: McpUpstream, config: GatewayConfig, inputs: McpInputs) {
  const path = joinPath(api.path);
  const access = resolveAccess(api.access, inputs.access, ["mcp", index, "access"]);
  const resource = resourceUrl(api.resource, api.path, `MCP API "${api.name}"`, ["mcp", index, "resource"], inputs.report);
  if (jwtRules(access).length > 0 && api.resource === undefined) {
    inputs.report.error(
      "PCL4125",
      `MCP API "${api.name}" admits JWT callers but declares no resource URL, so MCP clients cannot discover where to get a token, and a token issued for another API would be accepted.`,
      ["mcp", index],
      `Add resource: "https://<gateway host>${path}", the URL clients use.`,
    );
  }
  const tools = resolveRules(api, index, "tools", inputs) ?? [];
  const prompts = resolveRules(api, index, "prompts", inputs);
  const resources = resolveRules(api, index, "resources", inputs);
  const others = { ...(prompts ? { prompts } : {}), ...(resources ? { resources } : {}) };
  const maxRequestBytes = api.maxRequestBytes ?? DEFAULT_MCP_MAX_REQUEST_BYTES;
  const metadataUrl = resource ? `${resource.origin}${PROTECTED_RESOURCE_METADATA_PATH}${path}` : undefined;
  const resourceText = resource ? `${resource.origin}${path}` : undefined;
  const endpoint: RouteIR = {
    id: `${MCP_API}.${api.name}`,
    api: MCP_API,
    version: "-",
    name: api.name,
    hostnames: inputs.hostnames,
    match: { kind: "exact", path, methods: ["DELETE", "GET", "POST"], headers: [] },
    lifecycle: { state: "published" },
    action: upstream.action,
    access: withAudience(access, resourceText),
    mcp: { api: api.name, maxRequestBytes, tools, ...others },
  };
  const document = resourceText ? metadataDocument(api.name, resourceText, access, [...tools, ...(prompts ?? []), ...(resources ?? [])], config) : undefined;
  const ir: McpApiIR = {
    name: api.name,
    path,
    server: upstream.server,
    tools,
    ...others,
    ...(resourceText && metadataUrl ? { resource: resourceText, resourceMetadataUrl: metadataUrl } : {}),
    maxRequestBytes,
    ...(upstream.bearerToken ? { bearerToken: upstream.bearerToken } : {}),
    ...(upstream.federation ? { federation: upstream.federation } : {}),
  };
  return { ir, endpoint, document };
}

function defaultProcessor(): AiProcessorAddressIR {
  const [host, port] = DEFAULT_AI_PROCESSOR_ADDRESS.split(":");
  return { kind: "tcp", host: host!, port: Number(port) };
}

/** Resolves the MCP gateway: MCP APIs, then API versions published as tools; with neither, only reports MCP servers that nothing would use. */
export function resolveMcp(config: GatewayConfig, apiRoutes: readonly RouteIR[], taken: readonly RouteIR[], inputs: McpInputs): McpResolution {
  const { report } = inputs;
  const apis = config.mcp ?? [];
  const used = new Set(apis.flatMap((api) => [...(api.server !== undefined ? [api.server] : []), ...(api.servers ?? []).map((entry) => entry.server)]));
  const servers = new Map<string, ResolvedMcpServer>();
  for (const [name, provider] of mcpServers(config)) {
    if (!used.has(name)) {
      report.warning("PCL4127", `MCP server "${name}" is not the server of any MCP API, so nothing reaches it.`, ["providers", name], "Name it as the server of an mcp entry, or remove it.");
      continue;
    }
    const cluster = mcpServerCluster(name, provider, config, inputs.source, report, inputs.secrets, DEFAULT_MCP_REQUEST_TIMEOUT_MS);
    if (!cluster) continue;
    const bearerToken = provider.bearerToken ? readSecret(provider.bearerToken, inputs.source, report, ["providers", name, "bearerToken"]) : undefined;
    servers.set(name, { ...cluster, ...(bearerToken ? { bearerToken } : {}) });
  }
  const resolved = apis.flatMap((api, index) => {
    const upstream = upstreamOf(api, index, servers, report);
    return upstream ? [resolveApi(api, index, upstream, config, inputs)] : [];
  });
  const withDocuments = resolved.filter((api) => api.document !== undefined);
  const routes = [
    ...resolved.map((api) => api.endpoint),
    ...withDocuments.map((api) => metadataRoute(`${MCP_API}.${api.ir.name}.resource-metadata`, `${api.ir.name}.resource-metadata`, `${PROTECTED_RESOURCE_METADATA_PATH}${api.ir.path}`, api.document!, inputs.hostnames)),
    // The bare well-known path names one resource; with several, clients follow the path-suffixed one from the 401.
    ...(withDocuments.length === 1 ? [metadataRoute(`${MCP_API}.resource-metadata`, "resource-metadata", PROTECTED_RESOURCE_METADATA_PATH, withDocuments[0]!.document!, inputs.hostnames)] : []),
  ];
  const indexOf = new Map(apis.map((api, index) => [api.name, index]));
  checkPathsFree(
    routes.map((route) => ({ route, at: ["mcp", indexOf.get(route.name.replace(/\.resource-metadata$/, "")) ?? 0, route.mcp ? "path" : "resource"] })),
    taken,
    report,
  );
  const restToolRoutes = resolveMcpRestTools(config, apiRoutes, routes.length > 0 ? [...taken, ...routes] : taken, inputs);
  const restTools = restToolRoutes.flatMap((route) => (route.mcpRestTools ? [route.mcpRestTools] : []));
  if (apis.length === 0 && restTools.length === 0) return { clusters: [], routes: [] };
  return {
    mcp: { processor: { address: inputs.processor ?? defaultProcessor(), cluster: AI_PROCESSOR_CLUSTER }, apis: resolved.map((api) => api.ir), restTools },
    clusters: [...servers.values()].map((server) => server.cluster),
    routes: [...routes, ...restToolRoutes],
  };
}
