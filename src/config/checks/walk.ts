/**
 * The places checks walk: versions, routes and access rules, each with its config path. A config
 * the loader froze (frozen-config.ts) is walked once per validation, not once per check, and only
 * through the APIs a reload changed (the others keep their sites); the route-local parts of checks
 * skip the frozen versions they found clean before (`routeLocal`), by position when they can.
 */
import type { Diagnostic } from "../diagnostics.ts";
import { RecentlyUsed } from "../../recently-used.ts";
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
    const made = () => {
      const sites = walk(config);
      return Array.isArray(sites) ? (sites as readonly T[]) : [...sites];
    };
    if (!isFrozenConfig(config)) return made();
    let sites = walks.get(config);
    if (!sites) walks.set(config, (sites = made()));
    return sites;
  };
}

/** The routes of one version, or of one API's unversioned section (`owner`: the object that holds them). */
export interface RouteGroup {
  readonly owner: { readonly routes: readonly Route[]; readonly access?: Access };
  /** Where the owner is written. */
  readonly path: ModelPath;
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

function group(owner: RouteGroup["owner"], path: ModelPath, site?: VersionSite): RouteGroup {
  const at = path.join("\0");
  const sites = () => owner.routes.map((route, index): RouteSite => ({ route, path: [...path, "routes", index] }));
  if (!isFrozenConfig(owner)) return { owner, path, routes: sites(), ...(site ? { site } : {}), clean: [] };
  let known = remembrance.get(owner);
  if (!known) remembrance.set(owner, (known = { at, routes: sites(), clean: [] }));
  else if (known.at !== at) Object.assign(known, { at, routes: sites() });
  return { owner, path, routes: known.routes, ...(site ? { site } : {}), clean: known.clean };
}

/** An API's versions and route groups, at its place in the config. */
interface ApiWalk {
  readonly index: number;
  readonly versions: readonly VersionSite[];
  readonly versionGroups: readonly RouteGroup[];
  readonly unversioned?: RouteGroup;
}

/**
 * A frozen API's walk while it stays at the same place: a reload walks only the edited APIs, and
 * the others' sites and groups are the same objects as before (which lets `routeLocal` pass over
 * them by position).
 */
const apiWalks = new WeakMap<Api, ApiWalk>();

function apiWalk(api: Api, index: number): ApiWalk {
  let known = isFrozenConfig(api) ? apiWalks.get(api) : undefined;
  if (known?.index === index) return known;
  const versions = Object.entries(api.versions).map(([versionName, version]): VersionSite => ({ api, versionName, version, path: ["apis", index, "versions", versionName] }));
  known = {
    index,
    versions,
    versionGroups: versions.map((site) => group(site.version, site.path, site)),
    ...(api.unversioned ? { unversioned: group(api.unversioned, ["apis", index, "unversioned"]) } : {}),
  };
  if (isFrozenConfig(api)) apiWalks.set(api, known);
  return known;
}

const apiWalksOf = (config: GatewayConfig) => (config.apis ?? []).map(apiWalk);

export const versions = remembered((config) => apiWalksOf(config).flatMap((walk) => walk.versions));

/** The routes of each version (with their site), then of each API's unversioned section. */
export const routeGroups = remembered((config) => {
  const walks = apiWalksOf(config);
  return [...walks.flatMap((walk) => walk.versionGroups), ...walks.flatMap((walk) => (walk.unversioned ? [walk.unversioned] : []))];
});

/** A route-local check's last run over a file's config. */
interface RouteLocalRun {
  readonly groups: readonly RouteGroup[];
  readonly inputs: readonly unknown[];
  readonly clean: readonly boolean[];
}

/** Files whose last run each route-local check remembers: a few gateways' worth. */
const REMEMBERED_RUNS = 16;

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
  // Each file's last run: its groups and which were clean. A group at the same place is passed over without being read.
  const lastRuns = new RecentlyUsed<string, RouteLocalRun>(REMEMBERED_RUNS);
  return (config, context) => {
    const now = inputs(config, context);
    const groups = routeGroups(config);
    const last = lastRuns.get(context.place.file);
    const before = last && sameItems(last.inputs, now) ? last : undefined;
    const clean: boolean[] = [];
    const out: Diagnostic[] = [];
    for (const [at, routeGroup] of groups.entries()) {
      const known = before?.groups[at] === routeGroup ? before.clean[at] : routeGroup.clean[slot] !== undefined && sameItems(routeGroup.clean[slot], now);
      if (known) {
        clean.push(true);
        continue;
      }
      const findings = check(routeGroup, config, context);
      clean.push(findings.length === 0);
      if (findings.length > 0) out.push(...findings);
      else routeGroup.clean[slot] = now;
    }
    lastRuns.set(context.place.file, { groups, inputs: now, clean });
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

/** Access written on a version or an unversioned section (before its routes' in config order). */
function sectionAccessSites(group: RouteGroup): AccessSite[] {
  return group.owner.access ? [{ access: group.owner.access, path: [...group.path, "access"] }] : [];
}

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
  const sectionPart = routeLocal(inputs, (group, config, context) => check(sectionAccessSites(group), config, context));
  const routePart = routeLocal(inputs, (group, config, context) => check(routeAccessSites(group), config, context));
  return (config, context) => [...sectionPart(config, context), ...routePart(config, context), ...check(serviceAccessSites(config), config, context)];
}
