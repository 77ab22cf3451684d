/**
 * The places checks walk: versions, routes and access rules, each with its config path. A config
 * the loader froze (frozen-config.ts) is walked once per validation, not once per check, and the
 * route-local parts of checks skip the frozen versions they found clean before (`routeLocal`).
 */
import type { Diagnostic } from "../diagnostics.ts";
import { sameItems } from "../../same-items.ts";
import { isFrozenConfig } from "../frozen-config.ts";
import type { ModelPath } from "../locate.ts";
import type { Access, Api, ApiVersion, GatewayConfig, Route } from "../types.ts";
import type { CheckContext } from "./context.ts";

export interface VersionSite {
  readonly api: Api;
  readonly versionName: string;
  readonly version: ApiVersion;
  readonly path: ModelPath;
}

export interface RouteSite {
  readonly route: Route;
  readonly path: ModelPath;
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

/** The routes of one version, or of one API's unversioned section (`owner`: the object that holds them). */
export interface RouteGroup {
  readonly owner: object;
  readonly routes: readonly RouteSite[];
  /** The version, when the routes are a version's. */
  readonly site?: VersionSite;
  /** By route-local check: the inputs it found this owner's routes clean with (kept only for a frozen owner). */
  readonly clean: (readonly unknown[] | undefined)[];
}

/**
 * What is remembered of a frozen group's owner: its route sites while it sits at the same place (a
 * reload builds only the edited ones), and the route-local checks' clean verdicts — found here once
 * per validation, not once per check: with a dozen checks and a hundred versions, the look-ups were
 * most of what validating an edit cost.
 */
const remembrance = new WeakMap<object, { at: string; routes: readonly RouteSite[]; readonly clean: (readonly unknown[] | undefined)[] }>();

function group(owner: { readonly routes: readonly Route[] }, path: ModelPath, site?: VersionSite): RouteGroup {
  const at = path.join("\0");
  const sites = () => owner.routes.map((route, index): RouteSite => ({ route, path: [...path, "routes", index] }));
  if (!isFrozenConfig(owner)) return { owner, routes: sites(), ...(site ? { site } : {}), clean: [] };
  let known = remembrance.get(owner);
  if (!known) remembrance.set(owner, (known = { at, routes: sites(), clean: [] }));
  else if (known.at !== at) Object.assign(known, { at, routes: sites() });
  return { owner, routes: known.routes, ...(site ? { site } : {}), clean: known.clean };
}

/** The routes of each version (with their site), then of each API's unversioned section. */
export const routeGroups = remembered(function* (config): Generator<RouteGroup> {
  for (const site of versions(config)) yield group(site.version, site.path, site);
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    if (api.unversioned) yield group(api.unversioned, ["apis", apiIndex, "unversioned"]);
  }
});

/** How many route-local checks there are: each has its slot in a group's `clean`. */
let routeLocalChecks = 0;

/**
 * The route-local part of a check: findings about one group of routes that depend on nothing but
 * those routes and `inputs` (the sections or settings the verdict reads, compared by identity). A
 * frozen group it found clean is not looked at again while the inputs are the same; a group with
 * findings is checked on every run, so its findings are placed in the text as it is now.
 */
export function routeLocal(
  inputs: (config: GatewayConfig, context: CheckContext) => readonly unknown[],
  check: (group: RouteGroup, config: GatewayConfig, context: CheckContext) => Diagnostic[],
): (config: GatewayConfig, context: CheckContext) => Diagnostic[] {
  const slot = routeLocalChecks++;
  return (config, context) => {
    const now = inputs(config, context);
    const out: Diagnostic[] = [];
    for (const routeGroup of routeGroups(config)) {
      const known = routeGroup.clean[slot];
      if (known && sameItems(known, now)) continue;
      const findings = check(routeGroup, config, context);
      if (findings.length > 0) out.push(...findings);
      else routeGroup.clean[slot] = now;
    }
    return out;
  };
}

/** For a route-local check that reads nothing outside its routes. */
export const NO_INPUTS = (): readonly unknown[] => [];

/** A place an access rule is written. */
export interface AccessSite {
  readonly access: Access;
  readonly path: ModelPath;
}

/** Access written on versions and unversioned sections: in config order, before the routes'. */
const sectionAccessSites = remembered(function* (config): Generator<AccessSite> {
  for (const site of versions(config)) {
    if (site.version.access) yield { access: site.version.access, path: [...site.path, "access"] };
  }
  for (const [apiIndex, api] of (config.apis ?? []).entries()) {
    if (api.unversioned?.access) yield { access: api.unversioned.access, path: ["apis", apiIndex, "unversioned", "access"] };
  }
});

/** Access written on the AI gateway, prompts and MCP APIs: in config order, after the routes'. */
const serviceAccessSites = remembered(function* (config): Generator<AccessSite> {
  if (config.ai) yield { access: config.ai.access, path: ["ai", "access"] };
  for (const [index, prompt] of (config.prompts ?? []).entries()) yield { access: prompt.access, path: ["prompts", index, "access"] };
  for (const [index, mcp] of (config.mcp ?? []).entries()) {
    yield { access: mcp.access, path: ["mcp", index, "access"] };
    for (const [toolIndex, tool] of mcp.tools.entries()) yield { access: tool.access, path: ["mcp", index, "tools", toolIndex, "access"] };
  }
});

function routeAccessSites(group: RouteGroup): AccessSite[] {
  return group.routes.flatMap(({ route, path }) => (route.access ? [{ access: route.access, path: [...path, "access"] }] : []));
}

/**
 * A check of access rules wherever they are written — versions and unversioned sections, routes,
 * then the AI gateway, prompts and MCP — with the routes' part route-local (`routeLocal`): a group
 * whose rules were clean is not looked at again while `inputs` are the same.
 */
export function accessLocal(
  inputs: (config: GatewayConfig, context: CheckContext) => readonly unknown[],
  check: (sites: readonly AccessSite[], config: GatewayConfig, context: CheckContext) => Diagnostic[],
): (config: GatewayConfig, context: CheckContext) => Diagnostic[] {
  const routePart = routeLocal(inputs, (group, config, context) => check(routeAccessSites(group), config, context));
  return (config, context) => [...check(sectionAccessSites(config), config, context), ...routePart(config, context), ...check(serviceAccessSites(config), config, context)];
}
