/**
 * The access matrix of a gateway: every caller (callers.ts) against every route and method,
 * with the decision and its reason (decide.ts). Pure: IR in, plain data out.
 */
import type { GatewayIR, HttpMethod, RouteIR } from "../model/ir.ts";
import { type Caller, callersOf } from "./callers.ts";
import { type Decision, decide } from "./decide.ts";
import { routeMethods } from "../model/methods.ts";
import { requestFor, selectRoute } from "./requests.ts";

export interface MatrixColumn {
  /** `<api>.<version>.<route>`. */
  readonly route: string;
  readonly api: string;
  readonly version: string;
  readonly method: HttpMethod;
  /** The route's path as matched (`exact`, `prefix` or `template`). */
  readonly path: string;
  readonly match: RouteIR["match"]["kind"];
  /** Header conditions of the match (header versioning, a credential's header). */
  readonly headers: RouteIR["match"]["headers"];
  readonly hostnames: readonly string[];
}

export interface MatrixCell extends Decision {
  readonly caller: string;
  readonly route: string;
  readonly method: HttpMethod;
}

export interface AccessMatrix {
  readonly gateway: string;
  readonly callers: readonly Caller[];
  readonly columns: readonly MatrixColumn[];
  /** One per caller and column, callers outer, columns inner. */
  readonly cells: readonly MatrixCell[];
}

function columnsOf(route: RouteIR): MatrixColumn[] {
  const methods = routeMethods(route);
  return methods.map((method) => ({ route: route.id, api: route.api, version: route.version, method, path: route.match.path, match: route.match.kind, headers: route.match.headers, hostnames: route.hostnames }));
}

/** A host name the route serves, as a client would send it (a wildcard's `*` filled in). */
export function sampleHost(route: RouteIR): string {
  const host = route.hostnames.find((name) => !name.startsWith("*")) ?? route.hostnames[0] ?? "localhost";
  return host.replace(/^\*/, "x");
}

/**
 * The caller's request for a column goes to whichever route Envoy picks for it: a credential the
 * caller adds (an API-key header) can select another route than the column's, and then that
 * route decides.
 */
function cell(ir: GatewayIR, route: RouteIR, method: HttpMethod, caller: Caller, headersOf: (caller: Caller) => Record<string, string>): Decision {
  const request = requestFor(route, method);
  const selected = selectRoute(ir.routes, sampleHost(route), { ...request, headers: { ...request.headers, ...headersOf(caller) } });
  if (selected === "method-not-allowed") return { outcome: "deny", status: 405, reason: "no route at this path takes the method" };
  if (!selected) return { outcome: "deny", status: 404, reason: "no route matches the request with this caller's headers" };
  const decision = decide(ir, selected, caller);
  return selected.id === route.id ? decision : { ...decision, reason: `served by ${selected.id}: ${decision.reason}` };
}

/** Header names a caller's credential travels in, for route selection (values do not matter to matching). */
function credentialHeaders(ir: GatewayIR): (caller: Caller) => Record<string, string> {
  return (caller) => {
    if (caller.kind === "apiKey") {
      const source = ir.apiKeyProviders.find((provider) => provider.name === caller.identity)?.source;
      return source && "header" in source ? { [source.header]: "key" } : {};
    }
    if (caller.kind === "jwt") {
      const header = ir.jwtProviders.find((provider) => provider.name === caller.identity)?.fromHeaders[0];
      return header ? { [header.name.toLowerCase()]: `${header.prefix}token` } : {};
    }
    return {};
  };
}

/** `callers` defaults to those the IR's rules tell apart; `diff` passes both sides' callers to compare two gateways row by row. */
export function accessMatrix(ir: GatewayIR, callers: readonly Caller[] = callersOf(ir)): AccessMatrix {
  // Routes chosen by a header only the AI processor sets are not a client's to call (the header is removed on arrival).
  const internal = (route: RouteIR) => route.match.headers.some((header) => header.name === ir.ai?.routeHeader);
  const routes = ir.routes.filter((route) => !internal(route)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const columns = routes.flatMap(columnsOf);
  const byId = new Map(routes.map((route) => [route.id, route]));
  const headersOf = credentialHeaders(ir);
  const cells = callers.flatMap((caller) =>
    columns.map((column) => ({ caller: caller.id, route: column.route, method: column.method, ...cell(ir, byId.get(column.route)!, column.method, caller, headersOf) })),
  );
  return { gateway: ir.name, callers, columns, cells };
}
