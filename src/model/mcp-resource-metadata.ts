/**
 * OAuth protected-resource metadata (RFC 9728) for MCP endpoints, the MCP APIs' and those of API
 * versions published as tools: the resource URL as written, checked; the document naming who
 * issues tokens for it and the scopes its rules ask for; the public route Envoy answers it on.
 */
import type { GatewayConfig } from "../config/types.ts";
import type { AccessIR, McpRuleIR, RouteIR } from "./ir.ts";
import { joinPath } from "./paths.ts";
import type { Reporter } from "./report.ts";

/** The `api` of MCP routes; `@` keeps their ids (`@mcp.tools`) apart from any API's. */
export const MCP_API = "@mcp";
/** RFC 9728 §3: the metadata of resource `https://host/p` is at `https://host/.well-known/oauth-protected-resource/p`. */
export const PROTECTED_RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/** The resource URL: absolute, https (http only on loopback, for local runs), its path the endpoint's. */
export function resourceUrl(written: string | undefined, endpointPath: string, label: string, site: (string | number)[], report: Reporter): URL | undefined {
  if (written === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(written);
  } catch {
    url = undefined;
  }
  const problem = !url
    ? "is not an absolute URL"
    : url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.test(url.hostname))
      ? "is not https (http is accepted on a loopback host only)"
      : url.username || url.password || url.search || url.hash
        ? "carries credentials, a query or a fragment"
        : joinPath(url.pathname) !== joinPath(endpointPath)
          ? `has the path ${url.pathname}, not the endpoint's path ${endpointPath}`
          : undefined;
  if (!problem) return url;
  report.error("PCL4124", `The resource URL of ${label} ${problem}.`, site, `Write the URL clients reach this endpoint at, e.g. "https://gateway.example.com${joinPath(endpointPath)}".`);
  return undefined;
}

export const jwtRules = (access: AccessIR) => (access.kind === "identities" ? access.rules.filter((rule) => rule.identityType === "jwt") : []);

function scopesOf(accesses: readonly AccessIR[]): string[] {
  return [...new Set(accesses.flatMap((access) => (access.kind === "identities" ? access.rules.flatMap((rule) => rule.scopes) : [])))].sort();
}

/** The RFC 9728 document: the resource, who issues tokens for it, how they are sent and the scopes rules ask for. */
export function metadataDocument(name: string, resource: string, access: AccessIR, rules: readonly McpRuleIR[], config: GatewayConfig): string {
  const issuers = [...new Set(jwtRules(access).flatMap((rule) => {
    const identity = config.identities?.[rule.identity ?? ""];
    return identity?.type === "jwt" ? [identity.issuer] : [];
  }))].sort();
  const scopes = scopesOf([access, ...rules.map((rule) => rule.access)]);
  return JSON.stringify({
    resource,
    authorization_servers: issuers,
    bearer_methods_supported: ["header"],
    ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
    resource_name: name,
  });
}

const METADATA_ACCESS = { kind: "public", reason: "OAuth clients discover where to get a token here before they have one (RFC 9728)." } as const;

export function metadataRoute(id: string, name: string, path: string, body: string, hostnames: readonly string[]): RouteIR {
  return {
    id,
    api: MCP_API,
    version: "-",
    name,
    hostnames,
    match: { kind: "exact", path, methods: ["GET"], headers: [] },
    lifecycle: { state: "published" },
    action: { kind: "respond", contentType: "application/json", body },
    access: METADATA_ACCESS,
  };
}

