import { isIP } from "node:net";
import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Check, CheckContext } from "./context.ts";
import { dnsNameProblem } from "./hostnames.ts";
import { NO_INPUTS, routeLocal } from "./walk.ts";

/** Why `host` is not a host name or IP address (with a port when `withPort`), or undefined. */
function hostProblem(text: string, withPort: boolean): string | undefined {
  if (text === "") return "it is empty";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return "it contains whitespace or a control character";
  if (isIP(text) === 6) return withPort ? "an IPv6 address is written in brackets, as '[::1]'" : undefined;
  const portMatch = withPort ? /:(\d{1,5})$/.exec(text) : null;
  const port = Number(portMatch?.[1]);
  if (portMatch && (port < 1 || port > 65535)) return `port ${portMatch[1]} is out of range`;
  const host = portMatch ? text.slice(0, portMatch.index) : text;
  const bracketed = /^\[(.*)\]$/.exec(host)?.[1];
  if (withPort && bracketed !== undefined) return isIP(bracketed) === 6 ? undefined : `'${bracketed}' is not an IPv6 address`;
  if (isIP(host) !== 0) return undefined;
  if (host.includes("*")) return "a wildcard names no single host";
  return dnsNameProblem(host);
}

/**
 * The Host header a route sends upstream (`rewrite.host`) and the SNI a service is asked for
 * (`tls.sni`) name one host: Envoy rejects a line break in either, and anything else that is not a
 * host name reaches the service as a name it cannot serve.
 */
export const checkUpstreamHosts: Check = (config, context) => {
  const out = rewriteHosts(config, context);
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.type === "service" || provider.type === "mcp") out.push(...hostFindings(provider.tls?.sni, ["providers", name, "tls", "sni"], `the SNI of provider '${name}'`, false, "orders.internal", context));
  }
  return out;
};

const rewriteHosts = routeLocal(NO_INPUTS, (group, _config, context) =>
  group.routes.flatMap(({ route, path }) => (route.rewrite?.host === undefined ? [] : hostFindings(route.rewrite.host, [...path, "rewrite", "host"], "rewrite.host", true, "orders.internal:8443", context))));

function hostFindings(value: string | undefined, path: ModelPath, what: string, withPort: boolean, example: string, context: CheckContext): Diagnostic[] {
  const problem = value === undefined ? undefined : hostProblem(value, withPort);
  if (problem === undefined) return [];
  return [finding(context.place, "PCL3033", `${what} ${JSON.stringify(value)} is not a host name: ${problem}`, path, { hint: `write one host name${withPort ? " or address, optionally with a port" : ""}, e.g. "${example}"` })];
}
