import { parse } from "yaml";

/** What a reviewer cares about in one route, read back from its Envoy JSON. */
export interface RouteSummary {
  readonly path: string;
  readonly methods: string;
  readonly version: string;
  readonly lifecycle: string;
  readonly access: string;
  readonly target: string;
}

type Json = { [key: string]: unknown };
const obj = (value: unknown): Json => (value !== null && typeof value === "object" ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === "string" ? value : "");

function matchPath(match: Json): string {
  if (match["path"]) return str(match["path"]);
  if (match["path_separated_prefix"]) return `${str(match["path_separated_prefix"])}/**`;
  if (match["prefix"]) return `${str(match["prefix"])}**`;
  return str(obj(obj(match["path_match_policy"])["typed_config"])["path_template"]) || "?";
}

function methods(match: Json): string {
  const header = ((match["headers"] as unknown[]) ?? []).map(obj).find((h) => h["name"] === ":method");
  const pattern = obj(header?.["string_match"]);
  if (pattern["exact"]) return str(pattern["exact"]);
  const regex = str(obj(pattern["safe_regex"])["regex"]);
  return regex ? regex.replace(/^\^\(|\)\$$/g, "").split("|").join(",") : "*";
}

function summarize(route: Json): RouteSummary {
  const match = obj(route["match"]);
  const meta = obj(obj(obj(route["metadata"])["filter_metadata"])["portcullis"]);
  const direct = obj(route["direct_response"]);
  const access = str(meta["access"]);
  return {
    path: matchPath(match),
    methods: methods(match),
    version: str(meta["version"]),
    lifecycle: str(meta["lifecycle"]),
    access: access === "public" ? `public (${str(meta["public_reason"])})` : access === "identities" ? `identities ${JSON.stringify(meta["identities"] ?? [])}` : access,
    target: route["route"] ? `cluster ${str(obj(route["route"])["cluster"])}` : `status ${String(direct["status"] ?? "?")}`,
  };
}

/** Routes of a rendered RouteConfiguration file, keyed `<virtual host> <route name>`. */
export function routesOf(yamlText: string | undefined): Map<string, RouteSummary> {
  const routes = new Map<string, RouteSummary>();
  if (!yamlText) return routes;
  for (const vhost of ((obj(parse(yamlText))["virtual_hosts"] as unknown[]) ?? []).map(obj)) {
    for (const route of ((vhost["routes"] as unknown[]) ?? []).map(obj)) routes.set(`${str(vhost["name"])} ${str(route["name"])}`, summarize(route));
  }
  return routes;
}

const line = (s: RouteSummary) => `${s.methods} ${s.path} [${s.version}, ${s.lifecycle}] → ${s.target}; access: ${s.access}`;

/** Human lines for the routes added, removed and changed between two renders of one route configuration. */
export function diffRoutes(before: string | undefined, after: string | undefined): string[] {
  const old = routesOf(before);
  const now = routesOf(after);
  const lines: string[] = [];
  for (const [key, summary] of now) {
    const previous = old.get(key);
    if (!previous) lines.push(`    + ${key}: ${line(summary)}`);
    else {
      const changes = (Object.keys(summary) as (keyof RouteSummary)[])
        .filter((field) => summary[field] !== previous[field])
        .map((field) => `${field} ${previous[field]} → ${summary[field]}`);
      if (changes.length > 0) lines.push(`    ~ ${key}: ${changes.join("; ")}`);
    }
  }
  for (const [key, summary] of old) if (!now.has(key)) lines.push(`    - ${key}: ${line(summary)}`);
  return lines;
}
