import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Route } from "../types.ts";
import type { Check } from "./context.ts";
import { NO_INPUTS, routeLocal } from "./walk.ts";

const MATCH_KINDS = ["path", "prefix", "template"] as const;

const matchForms = routeLocal(NO_INPUTS, (group, _config, context) => {
  const out: Diagnostic[] = [];
  for (const { route, path } of group.routes) {
    const kinds = MATCH_KINDS.filter((k) => route.match[k] !== undefined);
    if (kinds.length !== 1) {
      out.push(finding(context.place, "PCL3009", kinds.length === 0
        ? "the route's match has no path, prefix or template"
        : `the route's match sets ${kinds.join(" and ")}; a route matches one way`, [...path, "match"], {
        hint: kinds.length === 0 ? 'add e.g. path: "/orders" or prefix: "/orders/"' : "keep one and move the other to its own route",
      }));
    }
    for (const kind of kinds) {
      const value = route.match[kind];
      if (value !== undefined && !value.startsWith("/")) {
        out.push(finding(context.place, "PCL3021", `the route's ${kind} '${value}' does not start with '/'`, [...path, "match", kind], { hint: `write '/${value}'` }));
      }
    }
  }
  return out;
});

const overlappingRoutes = routeLocal(NO_INPUTS, ({ site }, _config, context) => {
  if (!site) return [];
  const out: Diagnostic[] = [];
  const seen = new Map<string, { route: Route; index: number }>();
  for (const [index, route] of site.version.routes.entries()) {
    const key = matchKey(route);
    if (!key) continue;
    const earlier = seen.get(key);
    if (earlier && overlaps(earlier.route.match.methods, route.match.methods)) {
      const path: ModelPath = [...site.path, "routes", index, "match"];
      const shared = sharedMethods(earlier.route.match.methods, route.match.methods);
      out.push(finding(context.place, "PCL3008", `this route takes the same requests (${shared} ${key.split(" ").slice(1).join(" ")}) as route ${earlier.route.name ? `'${earlier.route.name}'` : `#${earlier.index + 1}`} of ${site.api.name} ${site.versionName}`, path, {
        hint: "remove one of them, or give them different methods or headers",
      }));
    }
    if (!earlier) seen.set(key, { route, index });
  }
  return out;
});

/** Each route matches one way, and no two routes of a version take the same requests. */
export const checkRoutes: Check = (config, context) => [...matchForms(config, context), ...overlappingRoutes(config, context)];

// Routes collide when they match the same way on the same path with the same header conditions.
function matchKey(route: Route): string | undefined {
  const kind = MATCH_KINDS.find((k) => route.match[k] !== undefined);
  if (!kind) return undefined;
  const headers = (route.match.headers ?? []).map((h) => `${h.name.toLowerCase()}=${h.value ?? ""}`).sort().join("&");
  return `${kind} ${route.match[kind] ?? ""}${headers ? ` [${headers}]` : ""}`;
}

function overlaps(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return !a || !b || a.some((m) => b.includes(m));
}

function sharedMethods(a: readonly string[] | undefined, b: readonly string[] | undefined): string {
  if (!a && !b) return "any method";
  const shared = !a ? b ?? [] : !b ? a : a.filter((m) => b.includes(m));
  return shared.join("/");
}
