/**
 * API versions published as MCP tools (`apis[].versions.<v>.mcp`) → two routes each: the MCP
 * endpoint, where Envoy's JSON-REST bridge (src/xds/mcp-json-rest-bridge.ts) answers initialize
 * and turns each tools/call into the REST request of its tool, and the tool-list route the bridge
 * asks for tools/list (`{path}/tools`, decided by the endpoint's access). No tool gets a rule of
 * its own here: a call is routed afresh as the REST request, so the REST route's identities,
 * access rules and rate limits decide it, exactly as they decide a direct call.
 */
import type { Api, ApiVersion, GatewayConfig } from "../config/types.ts";
import type { AccessIR, McpRestToolIR, RouteIR } from "./ir.ts";
import { type ToolCandidate, type ToolListing, toolCandidates } from "./mcp-rest-tool-candidates.ts";
import { type OpenApiTools, readOpenApiTools } from "./openapi-tools.ts";
import { joinPath } from "./paths.ts";
import type { Reporter } from "./report.ts";
import { type AccessInputs, resolveAccess } from "./resolve-access.ts";
import { versionLink } from "./resolve-lifecycle.ts";
import { jwtRules, MCP_API, metadataDocument, metadataRoute, PROTECTED_RESOURCE_METADATA_PATH, resourceUrl } from "./mcp-resource-metadata.ts";
import type { SecretSource } from "./secrets.ts";

export interface McpRestToolsInputs {
  readonly hostnames: readonly string[];
  readonly access: AccessInputs;
  readonly source: SecretSource;
  readonly report: Reporter;
}

/** MCP tool names (2025-11-25): 1 to 128 of these characters. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

type Site = (string | number)[];

/** A version the gateway does not route as written cannot take the REST request a tool call becomes. */
function unreachable(api: Api, versionName: string, version: ApiVersion): string | undefined {
  if (version.state === "draft" || version.state === "retired") return `is ${version.state}, so none of its routes is served`;
  if (api.versioning?.by === "header" && api.versioning.default !== versionName) return `is chosen by the ${api.versioning.header ?? "api-version"} header, which a tool call does not send (only the default version can be published)`;
  return undefined;
}

/** The candidates `tools` names (an operationId, else a route name), reporting names that match nothing or cannot be tools. */
function chosen(candidates: readonly ToolCandidate[], wanted: readonly string[] | undefined, document: OpenApiTools | undefined, label: string, site: Site, report: Reporter): ToolCandidate[] {
  if (wanted === undefined) {
    for (const candidate of candidates.filter((c) => c.problem)) {
      report.warning("PCL4181", `Route ${candidate.routeName} of ${label} is not published as an MCP tool: ${candidate.problem}.`, [...site.slice(0, -1), "routes", candidate.routeIndex], "List the tools you want under mcp.tools to publish only those, or change the route so a call can name it.");
    }
    return candidates.filter((c) => !c.problem);
  }
  return wanted.flatMap((name, index) => {
    const byOperation = candidates.filter((c) => c.operationId === name);
    const matches = byOperation.length > 0 ? byOperation : candidates.filter((c) => c.routeName === name);
    const at = [...site, "tools", index];
    if (matches.length === 0) {
      const operation = document?.operations.find((op) => op.operationId === name);
      const why = operation ? `operation ${name} (${operation.method} ${operation.path}) is in the OpenAPI document, but no route of ${label} serves it` : `${label} has no route or OpenAPI operation named ${JSON.stringify(name)}`;
      const names = [...new Set(candidates.filter((c) => !c.problem).map((c) => c.operationId ?? c.routeName))].slice(0, 12);
      report.error("PCL4180", `MCP tool ${JSON.stringify(name)} cannot be published: ${why}.`, at, names.length > 0 ? `Name one of: ${names.join(", ")}.` : "Add the route first.");
      return [];
    }
    for (const candidate of matches.filter((c) => c.problem)) {
      report.error("PCL4181", `MCP tool ${JSON.stringify(name)} cannot be published: route ${candidate.routeName} of ${label} cannot be a tool, as ${candidate.problem}.`, at, "Remove it from mcp.tools, or change the route so a call can name it.");
    }
    return matches.filter((c) => !c.problem);
  });
}

/** Tool names must be MCP names and unique at one endpoint. */
function checkNames(tools: readonly McpRestToolIR[], label: string, site: Site, report: Reporter): void {
  const seen = new Set<string>();
  for (const tool of tools) {
    if (!TOOL_NAME.test(tool.name)) report.error("PCL4184", `MCP tool name ${JSON.stringify(tool.name)} of ${label} is not a valid tool name (1 to 128 letters, digits, _ . -).`, site, "Give the OpenAPI operation an operationId that is a valid tool name.");
    else if (seen.has(tool.name)) report.error("PCL4184", `Two MCP tools of ${label} are named ${tool.name}.`, site, "Give each OpenAPI operation its own operationId, or name the routes apart.");
    seen.add(tool.name);
  }
}

const NOT_BRIDGED = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "MCP requests at this path are answered by the gateway's tool bridge." } });

interface Published {
  readonly tool: McpRestToolIR;
  readonly listing: ToolListing;
}

/**
 * OAuth discovery for the endpoint: its metadata document and route when `resource` is written;
 * without it, a warning where JWT callers are admitted (clients cannot find where to get a
 * token), and with it, one for each JWT identity whose audiences would refuse the tokens issued for it.
 */
function resourceMetadata(config: GatewayConfig, written: string | undefined, name: string, path: string, access: AccessIR, tools: readonly McpRestToolIR[], hostnames: readonly string[], site: Site, label: string, report: Reporter) {
  const jwt = jwtRules(access);
  const url = resourceUrl(written, path, label, [...site, "resource"], report);
  if (written === undefined) {
    if (jwt.length > 0) report.warning("PCL4187", `The MCP tools of ${label} admit JWT callers but declare no resource URL, so MCP clients cannot discover where to get a token.`, site, `Add resource: "https://<gateway host>${path}", the URL clients use.`);
    return undefined;
  }
  if (!url) return undefined;
  const resource = `${url.origin}${path}`;
  for (const identity of new Set(jwt.map((rule) => rule.identity ?? ""))) {
    const written = config.identities?.[identity];
    const audiences = written?.type === "jwt" ? (written.audiences ?? []) : [];
    if (audiences.length > 0 && !audiences.includes(resource)) {
      report.warning("PCL4188", `Tokens issued for ${resource} would be refused: identity "${identity}" accepts only the audiences ${audiences.join(", ")}.`, [...site, "resource"], `Add "${resource}" to identities.${identity}.audiences, so the tokens MCP clients get for this endpoint are accepted.`);
    }
  }
  const document = metadataDocument(name, resource, access, tools.map((tool) => ({ pattern: tool.name, access: tool.access })), config);
  const metadataPath = `${PROTECTED_RESOURCE_METADATA_PATH}${path}`;
  return { url: `${url.origin}${metadataPath}`, route: metadataRoute(`${MCP_API}.${name}.resource-metadata`, `${name}.resource-metadata`, metadataPath, document, hostnames) };
}

/** The endpoint (bridged), its tool-list route and its metadata route, on the API's hostnames so the rewritten call finds the REST route. */
function endpointRoutes(config: GatewayConfig, api: Api, versionName: string, version: ApiVersion, tools: readonly Published[], hostnames: readonly string[], site: Site, inputs: McpRestToolsInputs): RouteIR[] {
  const mcp = version.mcp!;
  const path = joinPath(mcp.path);
  const toolsListPath = joinPath(path, "tools");
  const access = resolveAccess(mcp.access ?? version.access, inputs.access, mcp.access ? [...site, "access"] : [...site.slice(0, -1), "access"]);
  const common = { api: MCP_API, version: "-", hostnames, lifecycle: { state: "published" as const }, access };
  const name = `${api.name}@${versionName}`;
  const sorted = [...tools].sort((a, b) => (a.tool.name < b.tool.name ? -1 : a.tool.name > b.tool.name ? 1 : 0));
  reportUnlisted(sorted.map((entry) => entry.tool), site, inputs.report);
  const metadata = resourceMetadata(config, mcp.resource, name, path, access, sorted.map((entry) => entry.tool), hostnames, site, `API ${api.name} ${versionName}`, inputs.report);
  return [
    {
      ...common,
      id: `${MCP_API}.${name}`,
      name,
      match: { kind: "exact", path, methods: ["POST"], headers: [] },
      action: { kind: "respond", contentType: "application/json", body: NOT_BRIDGED },
      mcpRestTools: { name, path, toolsListPath, ...(metadata ? { resourceMetadataUrl: metadata.url } : {}), tools: sorted.map((entry) => entry.tool) },
    },
    {
      ...common,
      id: `${MCP_API}.${name}.tools`,
      name: `${name}.tools`,
      match: { kind: "exact", path: toolsListPath, methods: ["GET"], headers: [] },
      action: { kind: "respond", contentType: "application/json", body: JSON.stringify({ tools: sorted.map((entry) => entry.listing) }) },
      mcpToolList: true,
    },
    ...(metadata ? [metadata.route] : []),
  ];
}

/**
 * The processor lists a tool to the callers its route admits, judged from the identity headers:
 * a rule on claims or client addresses cannot be judged there, and admits nobody to the list.
 */
function reportUnlisted(tools: readonly McpRestToolIR[], site: Site, report: Reporter): void {
  for (const tool of tools) {
    if (tool.access.kind !== "identities") continue;
    const unseen = tool.access.rules.filter((rule) => rule.identityType === "address" || rule.claims.length > 0 || rule.clientCidrs.length > 0);
    if (unseen.length === 0) continue;
    report.warning(
      "PCL4185",
      `MCP tool ${tool.name} (route ${tool.route}) is left out of tools/list for callers admitted only by ${unseen.length === 1 ? "a rule" : "rules"} on claims or client addresses: the list is filtered by the verified identity, roles, scopes, groups and consumer alone. Calls are still decided by the route.`,
      site,
      "Admit the tool's callers by identity, scopes, roles, groups or consumers, or leave it out of mcp.tools.",
    );
  }
}

/** An endpoint or tool-list path that another route takes exactly would shadow it or be shadowed. */
function checkPathsFree(routes: readonly RouteIR[], taken: readonly RouteIR[], site: Site, report: Reporter): void {
  for (const route of routes) {
    const other = taken.find((candidate) => candidate.match.kind === "exact" && candidate.match.path === route.match.path);
    if (other) report.error("PCL4183", `The MCP tools of ${route.name} need ${route.match.path}, which route ${other.id} takes.`, [...site, "path"], "Choose an mcp.path that no other route uses (its /tools path is taken too).");
  }
}

/** Every published version's endpoint and tool-list routes; `taken` are the routes resolved so far (API, AI and MCP). */
export function resolveMcpRestTools(config: GatewayConfig, apiRoutes: readonly RouteIR[], taken: readonly RouteIR[], inputs: McpRestToolsInputs): RouteIR[] {
  const { report } = inputs;
  const out: RouteIR[] = [];
  (config.apis ?? []).forEach((api, apiIndex) => {
    let document: OpenApiTools | undefined | null = null; // read once per API, and only when a version is published
    for (const versionName of Object.keys(api.versions ?? {}).sort()) {
      const version = api.versions[versionName]!;
      if (!version.mcp) continue;
      const site: Site = ["apis", apiIndex, "versions", versionName, "mcp"];
      const label = `API ${api.name} ${versionName}`;
      const why = unreachable(api, versionName, version);
      if (why) {
        report.error("PCL4182", `${label} cannot be published as MCP tools: it ${why}.`, site, "Publish a version the gateway routes (published or deprecated; under header versioning, the default one), or remove mcp.");
        continue;
      }
      if (document === null) document = api.openapi === undefined ? undefined : readOpenApiTools(api.openapi, inputs.source, report, ["apis", apiIndex, "openapi"]);
      const routes = apiRoutes.filter((route) => route.api === api.name && route.version === versionName);
      const paths = { versionSegment: api.versioning?.by === "header" ? "" : `/${versionName}`, versionLink: versionLink(api, versionName) };
      const published = chosen(toolCandidates(version, routes, document, paths), version.mcp.tools, document, label, site, report).map((c) => ({ tool: c.tool!, listing: c.listing! }));
      const unique = [...new Map(published.map((entry) => [`${entry.tool.route} ${entry.tool.method} ${entry.tool.name}`, entry])).values()];
      checkNames(unique.map((entry) => entry.tool), label, site, report);
      if (unique.length === 0) report.warning("PCL4181", `${label} publishes no MCP tool: none of its routes can be one.`, site, "Give a route one method and an exact path or a {name} template, or remove mcp.");
      const endpoint = endpointRoutes(config, api, versionName, version, unique, routes[0]?.hostnames ?? inputs.hostnames, site, inputs);
      checkPathsFree(endpoint, [...taken, ...out], site, report);
      out.push(...endpoint);
    }
  });
  return out;
}
