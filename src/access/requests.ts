/**
 * Requests for the access matrix: the request that exercises a route (a concrete path, its header
 * conditions), what a caller adds to it, and which route Envoy then picks — the first, in the
 * IR's match order, whose path, method and headers match. A caller's own headers (an API key, say)
 * can make Envoy pick another route than the one the column is about.
 */
import type { HttpMethod, RouteIR } from "../model/ir.ts";
import { routeMethods } from "../model/methods.ts";

export interface MatrixRequest {
  readonly method: HttpMethod;
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A path the route matches: template variables filled in, a prefix taken as is. */
export function samplePath(route: RouteIR): string {
  if (route.match.kind !== "template") return route.match.path;
  return route.match.path.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_match, _name: string, glob?: string) => (glob?.includes("**") ? "a/b" : "1"));
}

/** The request a client sends to reach `route` with `method`, before any credential. */
export function requestFor(route: RouteIR, method: HttpMethod): MatrixRequest {
  const headers: Record<string, string> = {};
  for (const header of route.match.headers) if (!header.absent) headers[header.name.toLowerCase()] = header.value ?? "1";
  return { method, path: samplePath(route), headers };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function templateRegex(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) => {
    if (!part.startsWith("{")) return escapeRegex(part);
    return part.includes("**") ? "[^?#]+" : "[^/?#]+";
  });
  return new RegExp(`^${parts.join("")}$`);
}

function pathMatches(route: RouteIR, path: string): boolean {
  const wanted = route.match.path;
  switch (route.match.kind) {
    case "exact":
      return path === wanted || (route.match.trailingSlash === true && path === `${wanted}/`);
    case "prefix":
      return wanted === "/" || path === wanted || path.startsWith(wanted.endsWith("/") ? wanted : `${wanted}/`);
    case "template":
      return templateRegex(wanted).test(path);
  }
}

function matchesIgnoringMethod(route: RouteIR, request: MatrixRequest): boolean {
  if (!pathMatches(route, request.path)) return false;
  return route.match.headers.every((header) => {
    const value = request.headers[header.name.toLowerCase()];
    if (header.absent) return value === undefined;
    return value !== undefined && (header.value === undefined || header.value === value);
  });
}

/**
 * The route Envoy takes for the request on a host the route serves; "method-not-allowed" when
 * routes take the path but not the method (Envoy's 405 routes); undefined when none does (404).
 */
export function selectRoute(routes: readonly RouteIR[], host: string, request: MatrixRequest): RouteIR | "method-not-allowed" | undefined {
  const onPath = routes.filter((route) => route.hostnames.includes(host) && matchesIgnoringMethod(route, request));
  return onPath.find((route) => routeMethods(route).includes(request.method)) ?? (onPath.length > 0 ? "method-not-allowed" : undefined);
}
