/**
 * Which tools an API version's routes could be: one per OpenAPI operation a route serves, or one
 * per single-method route without any, each with its REST request (method, path, body argument)
 * and its tool-list entry. A route or operation that a tool call could not reach as written
 * carries the reason: a path prefix or wildcard template (no one path to name), a header
 * condition (a tool call sends none), several methods with no operation to tell them apart.
 */
import type { ApiVersion, Route } from "../config/types.ts";
import type { McpRestToolIR, RouteIR } from "./ir.ts";
import type { OpenApiToolOperation, OpenApiTools, ToolMethod } from "./openapi-tools.ts";
import { joinPath } from "./paths.ts";
import { routeNames } from "./resolve-routes.ts";

/** What tools/list says of a tool. */
export interface ToolListing {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: Record<string, unknown>;
}

export interface ToolCandidate {
  readonly routeName: string;
  /** The route's index in its version, where findings about it point. */
  readonly routeIndex: number;
  readonly operationId?: string;
  /** Present unless `problem` is. */
  readonly tool?: McpRestToolIR;
  readonly listing?: ToolListing;
  /** Why this route (or operation) cannot be a tool. */
  readonly problem?: string;
}

const TOOL_METHODS: readonly string[] = ["GET", "PUT", "POST", "DELETE", "PATCH"];
const BODY_METHODS: readonly string[] = ["PUT", "POST", "PATCH"];
const VARIABLE = /\{([^}]*)\}/g;

const variables = (path: string) => [...path.matchAll(VARIABLE)].map((match) => match[1]!);
const shape = (path: string) => joinPath(path.replace(VARIABLE, "{}"));

/** Where a version's routes live, for matching the document's paths: server path, version prefix, base path. */
export interface VersionPaths {
  /** `/v1` under path versioning, "" under header versioning. */
  readonly versionSegment: string;
  /** The version prefix and base path, e.g. `/v1/orders`. */
  readonly versionLink: string;
}

/** The operation's path can be written relative to the root, the server URL, the version or the base path. */
function operationMatches(route: RouteIR, operation: OpenApiToolOperation, document: OpenApiTools, paths: VersionPaths): boolean {
  const takes = route.match.methods.length === 0 || route.match.methods.includes(operation.method);
  const spellings = [operation.path, joinPath(document.serverPath, operation.path), joinPath(paths.versionSegment, operation.path), joinPath(paths.versionLink, operation.path)];
  return takes && spellings.some((path) => shape(path) === shape(route.match.path));
}

/** The route's path with its variables named as the operation names them (the tool's argument names). */
function renamed(routePath: string, operationPath: string): string {
  const names = variables(operationPath);
  let index = 0;
  return routePath.replace(VARIABLE, () => `{${names[index++]}}`);
}

function routeProblem(route: RouteIR): string | undefined {
  if (route.match.kind === "prefix") return "it matches a path prefix, not one path a call can name";
  if (variables(route.match.path).some((name) => /[=*]/.test(name))) return "its template has a wildcard variable, not one path segment per argument";
  const header = route.match.headers.find((condition) => !condition.absent);
  if (header) return `it requires the header ${header.name}, which a tool call does not send`;
  return undefined;
}

function fromOperation(route: RouteIR, operation: OpenApiToolOperation, name: string): Pick<ToolCandidate, "tool" | "listing" | "problem"> {
  if (operation.problem) return { problem: operation.problem };
  const tool: McpRestToolIR = { name, method: operation.method, path: renamed(route.match.path, operation.path), route: route.id, access: route.access, ...(operation.bodyArgument ? { bodyArgument: operation.bodyArgument } : {}) };
  const { title, description, inputSchema } = operation;
  return { tool, listing: { name, ...(title ? { title } : {}), ...(description ? { description } : {}), inputSchema } };
}

/** A route without an operation: its one method, its path variables as string arguments, `body` where the method takes one. */
function fromRoute(route: RouteIR, written: Route): Pick<ToolCandidate, "tool" | "listing" | "problem"> {
  const methods = route.match.methods.filter((method) => TOOL_METHODS.includes(method));
  if (methods.length !== 1) {
    const taken = route.match.methods.length === 0 ? "every method" : `${methods.length === 0 ? "no" : "several"} tool methods (${route.match.methods.join(", ")})`;
    return { problem: `it takes ${taken}; give it one of GET, PUT, POST, DELETE or PATCH, or describe each operation in the API's OpenAPI document` };
  }
  const method = methods[0] as ToolMethod;
  const names = variables(route.match.path);
  const body = BODY_METHODS.includes(method);
  const properties = Object.fromEntries([...names.map((name) => [name, { type: "string" }]), ...(body ? [["body", { description: "The JSON request body." }]] : [])]);
  const inputSchema = { type: "object", properties, ...(names.length > 0 ? { required: [...names].sort() } : {}) };
  const tool: McpRestToolIR = { name: route.name, method, path: route.match.path, route: route.id, access: route.access, ...(body ? { bodyArgument: "body" } : {}) };
  return { tool, listing: { name: route.name, description: written.description ?? `${method} ${route.match.path}`, inputSchema } };
}

/** The routes of one version as tools/call reaches them: for the default version under header versioning, the copy that needs no header. */
function reachableCopies(routes: readonly RouteIR[]): Map<string, RouteIR> {
  const byName = new Map<string, RouteIR>();
  for (const route of routes) {
    const kept = byName.get(route.name);
    if (!kept || (kept.match.headers.some((header) => !header.absent) && route.match.headers.every((header) => header.absent))) byName.set(route.name, route);
  }
  return byName;
}

/** Every tool the version's routes could be, in route order (operations in document order). */
export function toolCandidates(version: ApiVersion, routes: readonly RouteIR[], document: OpenApiTools | undefined, paths: VersionPaths): ToolCandidate[] {
  const reachable = reachableCopies(routes);
  const names = routeNames(version.routes ?? []);
  return names.flatMap((routeName, routeIndex) => {
    const route = reachable.get(routeName);
    if (!route) return []; // not resolved (its provider is missing): reported already
    const site = { routeName, routeIndex };
    const problem = routeProblem(route);
    if (problem) return [{ ...site, problem }];
    const operations = (document?.operations ?? []).filter((operation) => operationMatches(route, operation, document!, paths));
    if (operations.length === 0) return [{ ...site, ...fromRoute(route, version.routes[routeIndex]!) }];
    return operations.map((operation) => {
      const name = operation.operationId ?? (operations.length === 1 ? routeName : `${routeName}-${operation.method.toLowerCase()}`);
      return { ...site, ...(operation.operationId ? { operationId: operation.operationId } : {}), ...fromOperation(route, operation, name) };
    });
  });
}
