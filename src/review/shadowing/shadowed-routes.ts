/**
 * Routes that cannot be reached for some method (PCL4092): Envoy takes the first route that
 * matches (the IR's order), so a route is unreachable for a method on a host when an earlier route
 * on that host takes the method and matches every request the later one matches — its path
 * pattern covers the later one's and it asks for no header the later one does not guarantee.
 */
import type { GatewayIR, HeaderMatchIR, HttpMethod, RouteIR } from "../../model/ir.ts";
import { routeMethods } from "../../model/methods.ts";
import type { ConfigPaths } from "../paths.ts";
import { joinWords } from "../words.ts";
import type { ShadowingFinding } from "./finding.ts";

const segments = (path: string) => path.split("/").filter((segment) => segment !== "");
const isVariable = (segment: string) => segment.startsWith("{") && segment.endsWith("}");
const isGlob = (segment: string) => isVariable(segment) && segment.includes("**");

/**
 * Whether every path `later` matches, `earlier` matches too. Segment by segment: an earlier literal
 * needs the same literal, an earlier `{var}` takes any one segment (not a later glob), an earlier
 * `{var=**}` or prefix takes all that follows.
 */
export function pathCovers(earlier: RouteIR["match"], later: RouteIR["match"]): boolean {
  if (earlier.kind === "exact") return later.kind === "exact" && later.path === earlier.path;
  const broad = segments(earlier.path);
  const narrow = segments(later.path);
  if (earlier.kind === "prefix") return broad.length <= narrow.length && broad.every((segment, i) => segment === narrow[i] && !isVariable(narrow[i]!));
  // A later prefix matches paths of any depth, which a template without a glob does not.
  if (later.kind === "prefix" && !broad.some(isGlob)) return false;
  for (let i = 0; i < broad.length; i++) {
    const [mine, theirs] = [broad[i]!, narrow[i]];
    if (isGlob(mine)) return theirs !== undefined;
    if (theirs === undefined || isGlob(theirs)) return false;
    if (isVariable(mine)) continue;
    if (mine !== theirs) return false;
  }
  return broad.length === narrow.length && later.kind !== "prefix";
}

/** Whether every request carrying `later`'s headers also satisfies `earlier`'s. */
function headersCover(earlier: readonly HeaderMatchIR[], later: readonly HeaderMatchIR[]): boolean {
  return earlier.every((wanted) =>
    later.some((held) => held.name.toLowerCase() === wanted.name.toLowerCase() && (wanted.absent ? held.absent === true : !held.absent && (wanted.value === undefined || wanted.value === held.value))),
  );
}

const label = (route: RouteIR) => `${route.match.kind === "prefix" ? "prefix " : ""}${route.match.path}`;

export function shadowedRouteFindings(ir: GatewayIR, at: ConfigPaths): ShadowingFinding[] {
  const findings: ShadowingFinding[] = [];
  ir.routes.forEach((route, index) => {
    const lost = new Map<string, { methods: HttpMethod[]; hosts: Set<string> }>();
    for (const method of routeMethods(route)) {
      for (const host of route.hostnames) {
        const earlier = ir.routes
          .slice(0, index)
          .find((other) => other.hostnames.includes(host) && routeMethods(other).includes(method) && pathCovers(other.match, route.match) && headersCover(other.match.headers, route.match.headers));
        if (!earlier) continue;
        const entry = lost.get(earlier.id) ?? { methods: [], hosts: new Set<string>() };
        if (!entry.methods.includes(method)) entry.methods.push(method);
        entry.hosts.add(host);
        lost.set(earlier.id, entry);
      }
    }
    for (const [earlierId, { methods, hosts }] of lost) {
      const earlier = ir.routes.find((other) => other.id === earlierId)!;
      const all = methods.length === routeMethods(route).length;
      findings.push({
        code: "PCL4092",
        message: `route ${route.id} (${label(route)}) is unreachable ${all ? "" : `for ${joinWords(methods)} `}on ${joinWords([...hosts].sort())}: route ${earlier.id} (${label(earlier)}) comes first and takes every such request`,
        hint: all ? "remove the route, or make the earlier route's path or methods narrower" : `take ${joinWords(methods)} off one of the two routes, or make the earlier route's path narrower`,
        path: at.route(route.id)?.path ?? at.version(route.api, route.version),
      });
    }
  });
  return findings;
}
