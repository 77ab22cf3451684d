/**
 * What the API catalog shows, built from the IR and its access matrix: APIs grouped by owning
 * team, versions with their lifecycle, the URLs to call, who may call each route and method,
 * rate limits, AI models with their prices, and each API's OpenAPI operations. Pure: IR in,
 * plain JSON-ready data out, in a stable order, so the same config builds the same page.
 */
import type { AccessMatrix } from "../access/matrix.ts";
import { costUsd } from "../ai/catalog.ts";
import type { ApiIR, GatewayIR, GrantIR, ListenerIR, RateLimitIR, RouteIR } from "../model/ir.ts";
import type { OpenApiSummary } from "./openapi.ts";

export interface CatalogData {
  readonly gateways: readonly CatalogGateway[];
}

export interface CatalogGateway {
  readonly name: string;
  /** Scheme, host and port clients use, one per listener host name. */
  readonly baseUrls: readonly string[];
  readonly teams: readonly CatalogTeam[];
  readonly models: readonly CatalogModel[];
  /** The AI gateway's OpenAI-style base path, when there is one. */
  readonly aiBasePath?: string;
}

export interface CatalogTeam {
  readonly name: string;
  readonly apis: readonly CatalogApi[];
}

export interface CatalogApi {
  readonly name: string;
  readonly owner: string;
  readonly description?: string;
  readonly versions: readonly CatalogVersion[];
  /** Routes outside every version (`apis[].unversioned`: health checks and the like). */
  readonly unversioned: readonly CatalogRoute[];
  readonly openapi?: OpenApiSummary;
  /** Access granted by reviewed change (`access.grants`): who holds it, on which version, until when. */
  readonly grants: readonly CatalogGrant[];
}

/** A grant as the catalog shows it: the IR's, without its position in the config. */
export type CatalogGrant = Omit<GrantIR, "index">;

export interface CatalogVersion {
  readonly name: string;
  readonly state: "draft" | "published" | "deprecated" | "retired";
  readonly deprecatedOn?: string;
  readonly sunset?: string;
  readonly successor?: string;
  /** Routes Envoy serves for this version (none for drafts, and none for retired ones: they answer 410). */
  readonly routes: readonly CatalogRoute[];
}

export interface CatalogRoute {
  /** `<api>.<version>.<route>`, as `explain` names it. */
  readonly id: string;
  readonly path: string;
  readonly match: "exact" | "prefix" | "template";
  readonly urls: readonly string[];
  /** Why anyone may call it, when the route is public. */
  readonly publicReason?: string;
  /** Per method: the callers the access matrix admits (caller ids as `explain` prints them). */
  readonly access: readonly { readonly method: string; readonly allowed: readonly string[] }[];
  readonly rateLimits: readonly string[];
}

export interface CatalogModel {
  readonly alias: string;
  readonly provider: string;
  readonly model: string;
  /** US dollars per million tokens, when the model catalog prices the model. */
  readonly inputPerMillion?: number;
  readonly outputPerMillion?: number;
  readonly maxTokens?: number;
}

const PERIODS: Record<number, string> = { 1: "second", 60: "minute", 3600: "hour" };

function describeLimit(limit: RateLimitIR): string {
  const period = PERIODS[limit.periodSeconds] ?? `${limit.periodSeconds} s`;
  const who = limit.by === "global" ? "in total" : `per ${limit.by === "client" ? "client address" : limit.by}`;
  const scope = limit.scope === "route" ? "" : ` (${limit.scope === "api" ? "all versions of the API together" : "this version"})`;
  return `${limit.requests} requests per ${period} ${who}${scope}, ${limit.mode === "global" ? "across the fleet" : "per Envoy"}`;
}

function baseUrls(listeners: readonly ListenerIR[]): string[] {
  const urls = listeners.flatMap((listener) => {
    const scheme = listener.tls ? "https" : "http";
    const port = (scheme === "https" && listener.port === 443) || (scheme === "http" && listener.port === 80) ? "" : `:${listener.port}`;
    return listener.hostnames.map((host) => `${scheme}://${host.replace(/^\*\./, "api.")}${port}`);
  });
  return [...new Set(urls)].sort();
}

function routeUrls(route: RouteIR, listeners: readonly ListenerIR[]): string[] {
  const served = listeners.filter((listener) => listener.hostnames.some((host) => route.hostnames.includes(host)));
  return baseUrls(served.map((listener) => ({ ...listener, hostnames: listener.hostnames.filter((host) => route.hostnames.includes(host)) }))).map((base) => `${base}${route.match.path}`);
}

function catalogRoute(route: RouteIR, ir: GatewayIR, matrix: AccessMatrix): CatalogRoute {
  const methods = matrix.columns.filter((column) => column.route === route.id).map((column) => column.method);
  const access = methods.map((method) => ({
    method,
    allowed: matrix.cells.filter((cell) => cell.route === route.id && cell.method === method && cell.outcome === "allow").map((cell) => cell.caller),
  }));
  return {
    id: route.id,
    path: route.match.path,
    match: route.match.kind,
    urls: routeUrls(route, ir.listeners),
    ...(route.access.kind === "public" ? { publicReason: route.access.reason } : {}),
    access,
    rateLimits: [route.rateLimit, route.apiRateLimit].flatMap((limit) => (limit ? [describeLimit(limit)] : [])),
  };
}

function catalogApi(api: ApiIR, ir: GatewayIR, matrix: AccessMatrix, openapi: ReadonlyMap<string, OpenApiSummary>): CatalogApi {
  const document = openapi.get(api.name);
  return {
    name: api.name,
    owner: api.owner,
    ...(api.description !== undefined ? { description: api.description } : {}),
    versions: api.versions.map((version) => ({
      name: version.name,
      state: version.state,
      ...(version.deprecatedOn !== undefined ? { deprecatedOn: version.deprecatedOn } : {}),
      ...(version.sunset !== undefined ? { sunset: version.sunset } : {}),
      ...(version.successor !== undefined ? { successor: version.successor } : {}),
      // A retired version's catch-all answers 410: its badge says so, it has no route to call.
      routes: ir.routes.filter((route) => route.api === api.name && route.version === version.name && !route.ai && route.action.kind !== "gone").map((route) => catalogRoute(route, ir, matrix)),
    })),
    unversioned: ir.routes.filter((route) => route.api === api.name && route.unversioned).map((route) => catalogRoute(route, ir, matrix)),
    ...(document ? { openapi: document } : {}),
    grants: ir.grants.filter((grant) => grant.api === api.name).map(({ index: _position, ...grant }) => grant),
  };
}

const perMillion = (catalog: string | undefined, model: string, kind: "input" | "output"): number | undefined => {
  const usage = { inputTokens: kind === "input" ? 1_000_000 : 0, outputTokens: kind === "output" ? 1_000_000 : 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
  const cost = costUsd(catalog, model, usage);
  return cost === null ? undefined : Math.round(cost * 1e6) / 1e6;
};

function models(ir: GatewayIR): CatalogModel[] {
  return (ir.ai?.models ?? []).map((alias) => {
    const provider = ir.ai?.providers.find((candidate) => candidate.name === alias.provider);
    const input = perMillion(provider?.catalog, alias.model, "input");
    const output = perMillion(provider?.catalog, alias.model, "output");
    return {
      alias: alias.alias,
      provider: alias.provider,
      model: alias.model,
      ...(input !== undefined ? { inputPerMillion: input } : {}),
      ...(output !== undefined ? { outputPerMillion: output } : {}),
      ...(alias.maxTokens !== undefined ? { maxTokens: alias.maxTokens } : {}),
    };
  });
}

/** The catalog of one gateway; `openapi` holds the summaries of the documents its APIs declare, by API name. */
export function catalogGateway(ir: GatewayIR, matrix: AccessMatrix, openapi: ReadonlyMap<string, OpenApiSummary> = new Map()): CatalogGateway {
  const teams = [...new Set(ir.apis.map((api) => api.owner))].sort();
  return {
    name: ir.name,
    baseUrls: baseUrls(ir.listeners),
    teams: teams.map((team) => ({
      name: team,
      apis: ir.apis
        .filter((api) => api.owner === team)
        .map((api) => catalogApi(api, ir, matrix, openapi))
        .sort((a, b) => a.name.localeCompare(b.name)),
    })),
    models: models(ir),
    ...(ir.ai ? { aiBasePath: ir.ai.basePath } : {}),
  };
}
