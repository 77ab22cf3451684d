import { parse } from "yaml";
import { DOT_SEGMENT_GUARD } from "./route-guards.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { routeIdOf } from "./route-metadata.ts";
import { METHOD_NOT_ALLOWED_ROUTE } from "./route-methods.ts";
import type { AllowRuleSummary, RouteSummary } from "./route-summary.ts";

type Json = { [key: string]: unknown };
const obj = (value: unknown): Json => (value !== null && typeof value === "object" ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Committed output can be unreadable (a merge conflict left in it): it then counts as empty, and
 * the file-level diff still shows it as changed.
 */
function parseOrNothing(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** The route summaries of a generated index (route id → summary); empty when there is none. */
export function routeSummariesOf(indexYaml: string | undefined): ReadonlyMap<string, RouteSummary> {
  return new Map(Object.entries(obj(obj(parseOrNothing(indexYaml))["routes"])).map(([id, summary]) => [id, obj(summary) as unknown as RouteSummary]));
}

/**
 * Route ids of a rendered RouteConfiguration file (from the names and the API and version a virtual
 * host carries, route-metadata.ts), keyed `<virtual host> <route id>`. The 405 routes follow from
 * the routes' methods, which the diff already shows, and the guards are in every table (a new route
 * scope brings its own copy).
 */
function routeKeys({ file, summaries }: RouteSide): Map<string, string> {
  const keys = new Map<string, string>();
  for (const vhost of list(obj(parseOrNothing(file))["virtual_hosts"]).map(obj)) {
    const carried = obj(obj(obj(vhost["metadata"])["filter_metadata"])[METADATA_NAMESPACE]);
    const [api, version] = [carried["api"], carried["version"]].map((value) => (typeof value === "string" ? value : undefined));
    for (const route of list(vhost["routes"]).map(obj)) {
      const name = str(route["name"]);
      if (name.startsWith(METHOD_NOT_ALLOWED_ROUTE) || name === DOT_SEGMENT_GUARD.name) continue;
      const id = routeIdOf(name, api, version, (candidate) => summaries.has(candidate));
      keys.set(`${str(vhost["name"])} ${id}`, id);
    }
  }
  return keys;
}

const ruleText = (rule: AllowRuleSummary) =>
  Object.entries(rule)
    .filter(([key]) => key !== "identity" && key !== "type")
    .reduce((text, [key, values]) => `${text} ${key}=${[values].flat().join(",")}`, rule.identity);

/** Each summary field as one comparable string (lists flattened; allow rules one per identity). */
function fieldTexts(summary: RouteSummary | undefined): Record<keyof RouteSummary, string> {
  const access = summary?.access;
  return {
    path: str(summary?.path) || "?",
    methods: str(summary?.methods) || "?",
    hostnames: list(summary?.hostnames).map(str).join(","),
    version: str(summary?.version) || "?",
    lifecycle: str(summary?.lifecycle) || "?",
    access: typeof access === "string" ? access : `identities [${list(access).map((rule) => ruleText(rule as AllowRuleSummary)).join("; ")}]`,
    target: str(summary?.target) || "?",
  };
}

const line = (s: Record<keyof RouteSummary, string>) => `${s.methods} ${s.path} [${s.version}, ${s.lifecycle}] → ${s.target}; access: ${s.access}`;

/** One side of a diff: a route configuration file and the route summaries of the same output. */
export interface RouteSide {
  readonly file: string | undefined;
  readonly summaries: ReadonlyMap<string, RouteSummary>;
}

/** Human lines for the routes added, removed and changed between two renders of one route configuration. */
export function diffRoutes(before: RouteSide, after: RouteSide): string[] {
  const old = routeKeys(before);
  const now = routeKeys(after);
  const lines: string[] = [];
  for (const [key, id] of now) {
    const summary = fieldTexts(after.summaries.get(id));
    const previousId = old.get(key);
    if (previousId === undefined) lines.push(`    + ${key}: ${line(summary)}`);
    else {
      const previous = fieldTexts(before.summaries.get(previousId));
      const changes = (Object.keys(summary) as (keyof RouteSummary)[])
        .filter((field) => summary[field] !== previous[field])
        .map((field) => `${field} ${previous[field]} → ${summary[field]}`);
      if (changes.length > 0) lines.push(`    ~ ${key}: ${changes.join("; ")}`);
    }
  }
  for (const [key, id] of old) if (!now.has(key)) lines.push(`    - ${key}: ${line(fieldTexts(before.summaries.get(id)))}`);
  return lines;
}
