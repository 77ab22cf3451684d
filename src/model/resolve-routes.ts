import { createHash } from "node:crypto";
import type { Api, ApiVersion, GatewayConfig, HttpMethod, Identity, Provider, Route } from "../config/types.ts";
import type { Diagnostic } from "../config/diagnostics.ts";
import { isFrozenConfig } from "../config/frozen-config.ts";
import { GenerationCache } from "./generation-cache.ts";
import type { AccessIR, CorsIR, IdentityHeadersIR, ForwardActionIR, HeaderMatchIR, LifecycleIR, RateLimitIR, RouteIR, RouteMatchIR } from "./ir.ts";
import { Reporter } from "./report.ts";
import { resolveAccess } from "./resolve-access.ts";
import { checkApiRateLimit, resolveRateLimit } from "./resolve-rate-limits.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS, durationOr, resolveRetry } from "./resolve-clusters.ts";
import { goneProblem, resolveLifecycle, versionLink } from "./resolve-lifecycle.ts";
import { deriveRouteName, joinPath } from "./paths.ts";
import type { RouteOrder } from "./route-order.ts";
import { sameItems } from "../same-items.ts";

interface VersionContext {
  readonly api: Api;
  readonly apiIndex: number;
  /** The version's name, or `-` for the API's unversioned routes. */
  readonly version: string;
  /** Where the version (or `unversioned`) is written: `["apis", 0, "versions", "v1"]`. */
  readonly site: readonly (string | number)[];
  readonly unversioned?: true;
  readonly hostnames: readonly string[];
  /** Path before the route's own path: `/v1/orders`, or `/orders` with header versioning. */
  readonly prefix: string;
  /** The version header condition with header versioning. */
  readonly versionHeaders: readonly HeaderMatchIR[];
  readonly lifecycle: LifecycleIR;
}

interface Inputs {
  readonly providers: Readonly<Record<string, Provider>>;
  readonly identities: Readonly<Record<string, Identity>>;
  /** Where the verified API-key consumer travels (api_key_auth writes it, the access rules read it). */
  readonly consumerHeader: string;
  /** The headers the gateway sets for the verified caller, which identity-keyed rate limits count by. */
  readonly identityHeaders: IdentityHeadersIR;
  readonly report: Reporter;
}

function resolveMatch(route: Route, context: VersionContext): RouteMatchIR {
  const { match } = route;
  const kind = match.template !== undefined ? "template" : match.prefix !== undefined ? "prefix" : "exact";
  const own = match.template ?? match.prefix ?? match.path ?? "/";
  const headers: HeaderMatchIR[] = [
    ...context.versionHeaders,
    ...(match.headers ?? []).map((header) => ({ name: header.name.toLowerCase(), ...(header.value !== undefined ? { value: header.value } : {}) })),
  ];
  const path = joinPath(context.prefix, own);
  return {
    kind,
    path,
    methods: [...new Set(match.methods ?? [])].sort(),
    headers: headers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...(kind === "exact" && path !== "/" && context.api.trailingSlash !== "strict" ? { trailingSlash: true as const } : {}),
  };
}

function resolveCors(route: Route, methods: readonly HttpMethod[], path: (string | number)[], report: Reporter): CorsIR | undefined {
  const cors = route.cors;
  if (!cors) return undefined;
  return {
    origins: [...cors.origins].sort(),
    methods: [...new Set(cors.methods ?? methods)].sort(),
    headers: [...(cors.headers ?? [])].map((h) => h.toLowerCase()).sort(),
    exposeHeaders: [...(cors.exposeHeaders ?? [])].map((h) => h.toLowerCase()).sort(),
    credentials: cors.credentials ?? false,
    maxAgeSeconds: Math.floor(durationOr(cors.maxAge, 600_000, report, [...path, "cors", "maxAge"]) / 1000),
  };
}

function resolveForward(route: Route, path: (string | number)[], inputs: Inputs): ForwardActionIR | undefined {
  const provider = inputs.providers[route.provider];
  if (!provider) {
    inputs.report.error("PCL4002", `Route names provider "${route.provider}", which is not declared.`, [...path, "provider"], "Declare it under providers, or fix the name.");
    return undefined;
  }
  if (provider.type !== "service") {
    inputs.report.error("PCL4003", `Route sends traffic to ${provider.type} provider "${route.provider}"; API routes can only use service providers.`, [...path, "provider"], "Use the ai or mcp sections for model and MCP providers.");
    return undefined;
  }
  const retry = resolveRetry(route.provider, provider, inputs.report);
  const rewrite = route.rewrite;
  return {
    kind: "forward",
    cluster: route.provider,
    timeoutMs: durationOr(route.timeout ?? provider.timeouts?.request, DEFAULT_REQUEST_TIMEOUT_MS, inputs.report, [...path, "timeout"]),
    ...(retry ? { retry } : {}),
    ...(rewrite && Object.keys(rewrite).length > 0 ? { rewrite: { ...rewrite } } : {}),
  };
}

/** The route's own limit (counted per route) and its API's (counted per API or per version). */
function routeRateLimits(route: Route, id: string, path: (string | number)[], access: AccessIR, context: VersionContext, inputs: Inputs): { rateLimit?: RateLimitIR | undefined; apiRateLimit?: RateLimitIR | undefined } {
  const limits = { access, route: id, identities: inputs.identities, identityHeaders: inputs.identityHeaders, report: inputs.report };
  const own = route.rateLimit;
  const api = context.api.rateLimit;
  const scope = api?.scope ?? "api";
  return {
    rateLimit: own && resolveRateLimit(own, id, "route", [...path, "rateLimit"], limits),
    apiRateLimit: api && resolveRateLimit(api, scope === "api" ? context.api.name : `${context.api.name}.${context.version}`, scope, ["apis", context.apiIndex, "rateLimit"], limits),
  };
}

function resolveRoute(route: Route, index: number, name: string, version: ApiVersion, context: VersionContext, inputs: Inputs): RouteIR | undefined {
  const path = [...context.site, "routes", index];
  const action = resolveForward(route, path, inputs);
  if (!action) return undefined;
  const match = resolveMatch(route, context);
  const accessPath = route.access ? [...path, "access"] : [...context.site, "access"];
  const id = `${context.api.name}.${context.version}.${name}`;
  const access = resolveAccess(route.access ?? version.access, inputs, accessPath);
  const { rateLimit, apiRateLimit } = routeRateLimits(route, id, path, access, context, inputs);
  const cors = resolveCors(route, match.methods, path, inputs.report);
  return {
    id,
    api: context.api.name,
    version: context.version,
    name,
    hostnames: context.hostnames,
    match,
    lifecycle: context.lifecycle,
    action,
    access,
    ...(rateLimit ? { rateLimit } : {}),
    ...(apiRateLimit ? { apiRateLimit } : {}),
    ...(cors ? { cors } : {}),
    ...(context.unversioned ? { unversioned: true as const } : {}),
  };
}

/** Unique names in a version: the route's own, or one derived from its match (suffixed on clashes). */
export function routeNames(routes: readonly Route[]): string[] {
  const used = new Set<string>();
  return routes.map((route) => {
    const own = route.name ?? deriveRouteName(route.match.methods ?? [], route.match.path ?? route.match.prefix ?? route.match.template ?? "/");
    let name = own;
    for (let n = 2; used.has(name); n++) name = `${own}-${n}`;
    used.add(name);
    return name;
  });
}

/** A retired version answers 410 for everything under it, whatever the route. */
function goneRoute(context: VersionContext): RouteIR {
  return {
    id: `${context.api.name}.${context.version}.retired`,
    api: context.api.name,
    version: context.version,
    name: "retired",
    hostnames: context.hostnames,
    match: { kind: "prefix", path: context.prefix, methods: [], headers: context.versionHeaders },
    lifecycle: context.lifecycle,
    action: { kind: "gone", body: goneProblem(context.api, context.version, context.lifecycle) },
    access: { kind: "public", reason: "A retired version tells every caller where its successor is." },
  };
}

function versionContexts(api: Api, apiIndex: number, hostnames: readonly string[], name: string, version: ApiVersion, report: Reporter): VersionContext[] {
  const lifecycle = resolveLifecycle(api, apiIndex, name, version, report);
  const common = { api, apiIndex, version: name, site: ["apis", apiIndex, "versions", name], hostnames, lifecycle };
  const versioning = api.versioning;
  if (versioning?.by !== "header") return [{ ...common, prefix: versionLink(api, name), versionHeaders: [] }];
  const header = (versioning.header ?? "api-version").toLowerCase();
  const prefix = versionLink(api, name);
  const byHeader = { ...common, prefix, versionHeaders: [{ name: header, value: name }] };
  // The default version also takes requests that carry no version header at all.
  return versioning.default === name ? [byHeader, { ...byHeader, versionHeaders: [{ name: header, absent: true }] }] : [byHeader];
}

/** The API's unversioned routes: under its base path alone, always routed, with no version header condition. */
function unversionedContext(api: Api, apiIndex: number, hostnames: readonly string[]): VersionContext {
  return { api, apiIndex, version: "-", site: ["apis", apiIndex, "unversioned"], unversioned: true, hostnames, prefix: joinPath(api.basePath), versionHeaders: [], lifecycle: { state: "published" } };
}

/** What one route resolves to (and its copy for the default header version): the routes and the findings made on the way (unlocated). */
export interface ResolvedRoute {
  readonly routes: readonly RouteIR[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Resolved routes across compiles of one gateway, by content key; and, for frozen config (a file
 * the loader read, frozen-config.ts), by the route object with the rest of its key, so a route a
 * reload left alone is found without writing its content out.
 */
export class RouteCache {
  readonly byContent = new GenerationCache<ResolvedRoute>();
  readonly byRoute = new WeakMap<object, { readonly context: string; readonly resolved: ResolvedRoute }>();
  /** A frozen version's routes, while its place (`versionPlace`) and the sections its routes read stay the same: no route is looked at. */
  readonly byVersion = new WeakMap<object, { readonly place: readonly unknown[]; readonly sections: readonly object[]; readonly context: string | undefined; readonly resolved: ResolvedRoute }>();
  /** The gateway's routes in match order, as the last compile sorted them (route-order.ts). */
  order: RouteOrder | undefined;
}

/**
 * Everything a version's routes share, as one short id: the version without its routes, its API
 * (but not the other versions), the host names, the identities its access names, and the headers
 * the gateway sets. Part of each route's cache key.
 */
function versionContextId(api: Api, apiIndex: number, hostnames: readonly string[], versionName: string, version: ApiVersion, inputs: Inputs): string {
  const key = JSON.stringify([apiIndex, { ...api, versions: undefined, unversioned: undefined }, hostnames, versionName, { ...version, routes: undefined }, identitiesOf(version.access, inputs), inputs.consumerHeader, inputs.identityHeaders]);
  return createHash("sha256").update(key).digest("base64url");
}

function identitiesOf(access: Route["access"], inputs: Inputs): [string, Identity | undefined][] {
  const names = access && "allow" in access ? (access.allow ?? []).flatMap((rule) => rule.identity ?? []) : [];
  return [...new Set(names)].map((name) => [name, inputs.identities[name]]);
}

/**
 * Everything one route is resolved from: its version's context, its place and name, the route as
 * written, and the provider and identities it names. Equal keys resolve to equal routes, so a
 * cached result (the same objects, which the translation caches by identity) is reused: an edit of
 * one route of a large version resolves that route alone.
 */
function cachedRoute(cache: RouteCache, context: KeyContext, index: number, name: string, route: Route, inputs: Inputs, resolve: () => ResolvedRoute): ResolvedRoute {
  const identities = route.access ? JSON.stringify(identitiesOf(route.access, inputs)) : context.versionIdentities;
  let provider = context.providers.get(route.provider);
  if (provider === undefined) context.providers.set(route.provider, (provider = JSON.stringify(inputs.providers[route.provider] ?? null)));
  const around = `${context.id}\0${index}\0${name}\0${identities}\0${provider}`;
  const frozen = isFrozenConfig(route);
  const known = frozen ? cache.byRoute.get(route) : undefined;
  if (known?.context === around) return known.resolved;
  const resolved = cache.byContent.get(`${around}\0${JSON.stringify(route)}`, resolve);
  if (frozen) cache.byRoute.set(route, { context: around, resolved });
  return resolved;
}

/** What the keys of one version's routes share, each written out once: the context id, the version's identities, the providers by name. */
interface KeyContext {
  readonly id: string;
  readonly versionIdentities: string;
  readonly providers: Map<string, string>;
}

/**
 * What a version's context id is made of besides the version itself: its API (frozen, so the same
 * object is the same content), place and name, and the gateway-wide part (`gatewayKey`: the host
 * names and identity headers). With the same frozen providers and identities sections, an equal
 * place for the same frozen version gives the same routes, found without writing anything out.
 */
function versionPlace(api: Api, apiIndex: number, versionName: string, gatewayKey: string): readonly unknown[] {
  return [api, apiIndex, versionName, gatewayKey];
}

function resolveVersion(api: Api, apiIndex: number, hostnames: readonly string[], versionName: string, version: ApiVersion, inputs: Inputs, cache: RouteCache, shared: { providers: Map<string, string>; gatewayKey: string }): readonly RouteIR[] {
  const frozen = isFrozenConfig(api) && isFrozenConfig(version) && isFrozenConfig(inputs.providers) && isFrozenConfig(inputs.identities);
  const place = versionPlace(api, apiIndex, versionName, shared.gatewayKey);
  const sections = [inputs.providers, inputs.identities];
  const known = frozen ? cache.byVersion.get(version) : undefined;
  const reuse = (): readonly RouteIR[] => {
    inputs.report.replay(known!.resolved.diagnostics);
    return known!.resolved.routes;
  };
  const sameSections = known !== undefined && sameItems(known.sections, sections);
  if (sameSections && sameItems(known.place, place)) return reuse();
  const context = version.state === "retired" ? undefined : versionContextId(api, apiIndex, hostnames, versionName, version, inputs);
  // A new API object around an unchanged version (another version of the API was edited): when the
  // version's context is the same, so are its routes — the same array, so route order keeps them in place.
  if (sameSections && context !== undefined && known.context === context) {
    cache.byVersion.set(version, { ...known, place });
    return reuse();
  }
  const report = new Reporter("");
  const routes = versionRoutes(api, apiIndex, hostnames, versionName, version, { ...inputs, report }, cache, { context, providers: shared.providers });
  inputs.report.replay(report.diagnostics);
  if (frozen) cache.byVersion.set(version, { place, sections, context, resolved: { routes, diagnostics: report.diagnostics } });
  return routes;
}

function versionRoutes(api: Api, apiIndex: number, hostnames: readonly string[], versionName: string, version: ApiVersion, inputs: Inputs, cache: RouteCache, keyed: { context: string | undefined; providers: Map<string, string> }): RouteIR[] {
  const contexts = versionName === "-" ? [unversionedContext(api, apiIndex, hostnames)] : versionContexts(api, apiIndex, hostnames, versionName, version, inputs.report);
  if (version.state === "retired" || keyed.context === undefined) {
    return contexts.map((context, copy) => {
      const gone = goneRoute(context);
      return copy === 0 ? gone : { ...gone, id: `${gone.id}.default` };
    });
  }
  const keys: KeyContext = { id: keyed.context, versionIdentities: JSON.stringify(identitiesOf(version.access, inputs)), providers: keyed.providers };
  return resolveVersionRoutes(version, contexts, keys, inputs, cache);
}

function resolveVersionRoutes(version: ApiVersion, contexts: readonly VersionContext[], keys: KeyContext, inputs: Inputs, cache: RouteCache): RouteIR[] {
  const names = routeNames(version.routes ?? []);
  return (version.routes ?? []).flatMap((route, index) => {
    const resolved = cachedRoute(cache, keys, index, names[index]!, route, inputs, () => {
      const report = new Reporter("");
      // Copies for the default header version are reported once, on the first pass.
      const routes = contexts.flatMap((context, copy) => {
        const one = resolveRoute(route, index, names[index]!, version, context, { ...inputs, report: copy === 0 ? report : new Reporter("") });
        return one ? [copy === 0 ? one : { ...one, id: `${one.id}.default` }] : [];
      });
      return { routes, diagnostics: report.diagnostics };
    });
    inputs.report.replay(resolved.diagnostics);
    return resolved.routes;
  });
}

/**
 * Every routed route of every API, one group per version (the same array while a frozen version
 * is unchanged: route-order.ts merges by group); drafts are left out, so they answer 404.
 */
export function resolveRouteGroups(config: GatewayConfig, allHostnames: readonly string[], inputs: Inputs, cache: RouteCache = new RouteCache()): (readonly RouteIR[])[] {
  cache.byContent.nextGeneration();
  const groups: (readonly RouteIR[])[] = [];
  const shared = { providers: new Map<string, string>(), gatewayKey: JSON.stringify([allHostnames, inputs.consumerHeader, inputs.identityHeaders]) };
  (config.apis ?? []).forEach((api, apiIndex) => {
    if (api.rateLimit) checkApiRateLimit(api.rateLimit, apiIndex, inputs.report);
    const hostnames = api.hostnames ? [...new Set(api.hostnames)].sort() : allHostnames;
    for (const versionName of Object.keys(api.versions ?? {}).sort()) {
      const version = api.versions[versionName]!;
      if (version.state === "draft") continue;
      groups.push(resolveVersion(api, apiIndex, hostnames, versionName, version, inputs, cache, shared));
    }
    if (api.unversioned) {
      // Resolved like a version named "-" (no version can be: names start with a letter or digit).
      const routesOnly: ApiVersion = { state: "published", routes: api.unversioned.routes, ...(api.unversioned.access ? { access: api.unversioned.access } : {}) };
      groups.push(resolveVersion(api, apiIndex, hostnames, "-", routesOnly, inputs, cache, shared));
    }
  });
  return groups;
}
