/**
 * The places checks walk: versions, routes and access rules, each with its config path. A config
 * the loader froze (frozen-config.ts) is walked once per validation, not once per check.
 */
import { isFrozenConfig } from "../frozen-config.ts";
import type { ModelPath } from "../locate.ts";
import type { Access, Api, ApiVersion, GatewayConfig, Route } from "../types.ts";

export interface VersionSite {
  readonly api: Api;
  readonly versionName: string;
  readonly version: ApiVersion;
  readonly path: ModelPath;
}

export interface RouteSite {
  readonly route: Route;
  readonly path: ModelPath;
  readonly site?: VersionSite;
}

/** A walk remembered for each frozen config it was made of. */
function remembered<T>(walk: (config: GatewayConfig) => Iterable<T>): (config: GatewayConfig) => readonly T[] {
  const walks = new WeakMap<GatewayConfig, readonly T[]>();
  return (config) => {
    if (!isFrozenConfig(config)) return [...walk(config)];
    let sites = walks.get(config);
    if (!sites) walks.set(config, (sites = [...walk(config)]));
    return sites;
  };
}

export const versions = remembered(function* (config): Generator<VersionSite> {
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    for (const [versionName, version] of Object.entries(api.versions)) {
      yield { api, versionName, version, path: ["apis", apiIndex, "versions", versionName] };
    }
  }
});

/** Every route: those of each version (with their site), then each API's unversioned ones. */
export const routes = remembered(function* (config): Generator<RouteSite> {
  for (const site of versions(config)) {
    for (const [index, route] of site.version.routes.entries()) {
      yield { route, path: [...site.path, "routes", index], site };
    }
  }
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    for (const [index, route] of (api.unversioned?.routes ?? []).entries()) yield { route, path: ["apis", apiIndex, "unversioned", "routes", index] };
  }
});

/** Every place an access rule is written. */
export const accessSites = remembered(function* (config): Generator<{ access: Access; path: ModelPath }> {
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
});
