import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { Api, Route } from "../types.ts";
import type { Check } from "./context.ts";

/** `{basePath}{path}` with one slash between the pieces and none at the end, as the routes are served. */
function join(base: string, path: string): string {
  const joined = `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`.replace(/\/+$/, "");
  return joined === "" ? "/" : joined;
}

/**
 * A path as the requests it takes: its segments, where a URI template's variables and `*` stand for
 * any one segment and `**` (or `{x=**}`) for any run of them, and whether it takes every path under
 * it too (a prefix). Comparing these, not the text, is what catches `/{version}/items/{id}` over
 * `/v1/items/7`.
 */
interface PathShape {
  readonly segments: readonly string[];
  readonly open: boolean;
}

const ANY_RUN = "**";
const ANY_SEGMENT = "*";

function shape(path: string, kind: "path" | "prefix" | "template"): PathShape {
  const segments = path.split("/").slice(1).filter((segment, index, all) => segment !== "" || index < all.length - 1);
  if (kind !== "template") return { segments, open: kind === "prefix" };
  const wild = segments.map((segment) => (/^\{[^}=]+=\*\*\}$/.test(segment) || segment === ANY_RUN ? ANY_RUN : /[{*]/.test(segment) ? ANY_SEGMENT : segment));
  return { segments: wild, open: wild.includes(ANY_RUN) };
}

/** Whether some request path is taken by both (segment by segment; a wildcard matches anything). */
function overlaps(a: PathShape, b: PathShape): boolean {
  const shared = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < shared; i++) {
    const [x, y] = [a.segments[i]!, b.segments[i]!];
    if (x === ANY_RUN || y === ANY_RUN) return true;
    if (x !== y && x !== ANY_SEGMENT && y !== ANY_SEGMENT) return false;
  }
  const longer = a.segments.length > b.segments.length ? a : b;
  const shorter = longer === a ? b : a;
  // The shorter one reaches the longer's extra segments only as a prefix (or when they may be empty).
  return longer.segments.length === shorter.segments.length || shorter.open || longer.segments.slice(shared).every((segment) => segment === ANY_RUN);
}

function written(route: Route): { kind: "path" | "prefix" | "template"; own: string } | undefined {
  for (const kind of ["path", "prefix", "template"] as const) {
    const own = route.match?.[kind];
    if (typeof own === "string") return { kind, own };
  }
  return undefined;
}

function sharesHosts(a: Api, b: Api): boolean {
  return !a.hostnames || !b.hostnames || a.hostnames.some((host) => b.hostnames?.some((other) => other.toLowerCase() === host.toLowerCase()));
}

/** Where `other`'s versions answer for the unversioned route `own`, in words, or undefined when none does. */
function versionedOwner(other: Api, own: PathShape): string | undefined {
  for (const [versionName, version] of Object.entries(other.versions ?? {})) {
    if (other.versioning?.by !== "header") {
      const entrance = join(`/${versionName}`, other.basePath);
      if (overlaps(own, shape(entrance, "prefix"))) return `${entrance}, where API '${other.name}' serves version ${versionName}`;
      continue;
    }
    // By header, a version's routes sit at their own paths, and the default version takes requests
    // without the header too: the same path, or an unversioned prefix over a version's route, is
    // ambiguous. A version's prefix over an unversioned path is not: the longer or exact match wins.
    for (const route of version.routes ?? []) {
      const match = written(route);
      if (!match) continue;
      const path = join(other.basePath, match.own);
      if (overlaps(own, { segments: shape(path, match.kind).segments, open: false })) {
        return `${path}, a route of API '${other.name}' version ${versionName} (selected by header)`;
      }
    }
  }
  return undefined;
}

/**
 * An API's unversioned routes stay clear of every versioned path on the same hosts: Envoy takes the
 * first route that matches, so one would quietly answer for the other, with the other's access rules.
 * Their names are unique among themselves.
 */
export const checkUnversionedRoutes: Check = (config, context) => {
  const out: Diagnostic[] = [];
  const apis = config.apis ?? [];
  for (const [apiIndex, api] of apis.entries()) {
    const names = new Set<string>();
    for (const [index, route] of (api.unversioned?.routes ?? []).entries()) {
      const at = ["apis", apiIndex, "unversioned", "routes", index];
      // Names are unique among the unversioned routes, as in a version (they end up in route ids).
      if (route.name !== undefined && names.has(route.name)) {
        out.push(finding(context.place, "PCL3007", `unversioned route name '${route.name}' is used twice in API '${api.name}'`, [...at, "name"], { hint: "give each route its own name" }));
      }
      if (route.name !== undefined) names.add(route.name);
      const match = written(route);
      if (!match) continue;
      const full = join(api.basePath, match.own);
      const own = shape(full, match.kind);
      const owner = apis.filter((other) => sharesHosts(api, other)).map((other) => versionedOwner(other, own)).find(Boolean);
      if (!owner) continue;
      out.push(finding(context.place, "PCL3038", `unversioned route ${full} overlaps ${owner}`, [...at, "match", match.kind], {
        hint: "give the unversioned route a path outside every version's paths (e.g. under the base path, not a version's), or make it a route of the version",
      }));
    }
  }
  return out;
};
