import type { ModelPath } from "../locate.ts";
import type { Access, Api, ApiVersion, GatewayConfig, Route } from "../types.ts";

export interface VersionSite {
  readonly api: Api;
  readonly versionName: string;
  readonly version: ApiVersion;
  readonly path: ModelPath;
}

export function* versions(config: GatewayConfig): Generator<VersionSite> {
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    for (const [versionName, version] of Object.entries(api.versions)) {
      yield { api, versionName, version, path: ["apis", apiIndex, "versions", versionName] };
    }
  }
}

/** Every route: those of each version (with their site), then each API's unversioned ones. */
export function* routes(config: GatewayConfig): Generator<{ route: Route; path: ModelPath; site?: VersionSite }> {
  for (const site of versions(config)) {
    for (const [index, route] of site.version.routes.entries()) {
      yield { route, path: [...site.path, "routes", index], site };
    }
  }
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    for (const [index, route] of (api.unversioned?.routes ?? []).entries()) yield { route, path: ["apis", apiIndex, "unversioned", "routes", index] };
  }
}

/** Every place an access rule is written. */
export function* accessSites(config: GatewayConfig): Generator<{ access: Access; path: ModelPath }> {
  for (const site of versions(config)) {
    if (site.version.access) yield { access: site.version.access, path: [...site.path, "access"] };
  }
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    if (api.unversioned?.access) yield { access: api.unversioned.access, path: ["apis", apiIndex, "unversioned", "access"] };
  }
  for (const { route, path } of routes(config)) {
    if (route.access) yield { access: route.access, path: [...path, "access"] };
  }
  if (config.ai) yield { access: config.ai.access, path: ["ai", "access"] };
  for (const [index, prompt] of (config.prompts ?? []).entries()) yield { access: prompt.access, path: ["prompts", index, "access"] };
  for (const [index, mcp] of (config.mcp ?? []).entries()) {
    yield { access: mcp.access, path: ["mcp", index, "access"] };
    for (const [toolIndex, tool] of mcp.tools.entries()) yield { access: tool.access, path: ["mcp", index, "tools", toolIndex, "access"] };
  }
}
