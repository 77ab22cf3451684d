/** The requests `up` suggests trying: one curl command per route, every kind of route included. */
import type { GatewayIR, ListenerIR, RouteIR } from "../model/ir.ts";

const MAX_EXAMPLES = 8;
const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);

/** A concrete path the route takes: template variables filled in, one segment under a prefix. */
function examplePath(route: RouteIR): string {
  const path = route.match.path;
  if (route.match.kind === "template") return path.replace(/\{([^}=]+)=\*\*\}/g, "a/b").replace(/\{[^}]+\}/g, "1");
  if (route.match.kind === "prefix") return path === "/" ? "/example" : `${path}/example`;
  return path;
}

/** Where to connect for a listener: a wildcard bind is reachable on loopback. */
function connectAddress(listener: ListenerIR): string {
  const address = listener.address === "0.0.0.0" ? "127.0.0.1" : listener.address === "::" ? "::1" : listener.address;
  return address.includes(":") ? `[${address}]` : address;
}

/**
 * The curl arguments that reach `route` on `listener`: its URL under a host name the route is
 * served on (`--resolve` sends a public name to the local listener, TLS SNI included), and the
 * header conditions it matches on (a version header).
 */
function curlArguments(route: RouteIR, listener: ListenerIR): string | undefined {
  const hosts = listener.hostnames.filter((host) => route.hostnames.includes(host) || host === "*");
  const concrete = hosts.filter((host) => !host.includes("*"));
  // A wildcard stands for any name under it: `*.example.com` is tried as `www.example.com`, `*` as localhost.
  const wildcard = hosts.find((host) => host.includes("*"));
  const host = concrete.find((name) => name === "localhost") ?? concrete.find((name) => LOCAL_NAMES.has(name)) ?? concrete[0] ?? wildcard?.replace(/^\*$/, "localhost").replace(/^\*/, "www");
  if (!host) return undefined;
  const scheme = listener.tls ? "https" : "http";
  const resolve = LOCAL_NAMES.has(host) ? "" : `--resolve ${host}:${listener.port}:${connectAddress(listener).replace(/^\[|\]$/g, "")} `;
  const headers = route.match.headers.filter((header) => !header.absent).map((header) => `-H '${header.name}: ${header.value ?? "1"}' `);
  const methods = route.match.methods;
  const method = methods.length > 0 && !methods.includes("GET") ? `-X ${methods[0]} ` : "";
  const authority = host === "::1" ? "[::1]" : host;
  return `${method}${resolve}${headers.join("")}${scheme}://${authority}:${listener.port}${examplePath(route)}`;
}

/**
 * One example per route, in match order, up to eight: the first route of each kind of match (exact,
 * template, prefix) always among them, so every kind the config uses is shown.
 */
export function exampleRequests(ir: GatewayIR): { curl: string; route: RouteIR }[] {
  const all: { curl: string; route: RouteIR }[] = [];
  const seen = new Set<string>();
  for (const route of ir.routes) {
    const curl = ir.listeners.map((listener) => curlArguments(route, listener)).find((args) => args !== undefined);
    if (!curl || seen.has(curl)) continue;
    seen.add(curl);
    all.push({ curl: `curl -i ${curl}`, route });
  }
  const chosen = new Set(["exact", "template", "prefix"].map((kind) => all.find((example) => example.route.match.kind === kind)).filter((example) => example !== undefined));
  for (const example of all) if (chosen.size < MAX_EXAMPLES) chosen.add(example);
  return all.filter((example) => chosen.has(example));
}
