import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Check, CheckContext } from "./context.ts";

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** Why `host` (no port, no wildcard) is not a DNS name, or undefined when it is one. */
export function dnsNameProblem(host: string): string | undefined {
  if (host.length > 253) return "it is longer than 253 characters";
  const labels = host.split(".");
  for (const [index, label] of labels.entries()) {
    if (label === "") return index === labels.length - 1 && labels.length > 1 ? "it ends with '.'" : "it has an empty label ('..' or a leading '.')";
    if (label.includes("*")) return "'*' may only be the whole first label, as in '*.example.com'";
    if (!LABEL.test(label)) return `label '${label}' may hold only letters, digits, '-' and '_', and must not start or end with '-'`;
  }
  return undefined;
}

/**
 * Why a host name cannot become an Envoy virtual-host domain, or undefined when it can. Envoy takes
 * `*` alone or as a whole leftmost label only; anything else is a literal that never matches, or a NACK.
 */
function hostnameProblem(hostname: string): string | undefined {
  if (hostname === "*") return undefined;
  const portMatch = /:(\d{1,5})$/.exec(hostname);
  const port = Number(portMatch?.[1]);
  if (portMatch && (port < 1 || port > 65535)) return `port ${portMatch[1]} is out of range`;
  const host = portMatch ? hostname.slice(0, portMatch.index) : hostname;
  if (!host.startsWith("*.")) return dnsNameProblem(host);
  return host === "*." ? "'*.' must be followed by a domain" : dnsNameProblem(host.slice(2));
}

function fixedHostname(hostname: string): string {
  const repaired = hostname.trim().toLowerCase().replace(/\*+/g, "*").replace(/\.{2,}/g, ".").replace(/^\.+|\.+$/g, "");
  const labels = repaired.split(".").filter((label) => label !== "*" || repaired.startsWith("*"));
  return labels.map((label, index) => (index === 0 && label === "*" ? label : label.replace(/[^a-z0-9_-]/g, ""))).join(".");
}

/** Listener and API host names are valid Envoy domains, and no listener serves a host twice. */
export const checkHostnames: Check = (config, context) => {
  const out: Diagnostic[] = [];
  for (const [index, listener] of config.gateway.listeners.entries()) {
    const path = ["gateway", "listeners", index, "hostnames"];
    out.push(...invalidHostnames(listener.hostnames, path, context));
    // Envoy compares domains case-insensitively and NACKs a route configuration that lists one twice.
    const seen = new Map<string, string>();
    for (const [hostIndex, hostname] of listener.hostnames.entries()) {
      const key = hostname.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined && earlier !== hostname) {
        out.push(finding(context.place, "PCL3023", `listener '${listener.name}' lists host name '${hostname}' twice (also as '${earlier}'; host names are case-insensitive)`, [...path, hostIndex], {
          hint: `remove '${hostname}'`,
        }));
      }
      if (earlier === undefined) seen.set(key, hostname);
    }
  }
  for (const [index, api] of (config.apis ?? []).entries()) {
    out.push(...invalidHostnames(api.hostnames ?? [], ["apis", index, "hostnames"], context));
  }
  return out;
};

function invalidHostnames(hostnames: readonly string[], path: ModelPath, context: CheckContext): Diagnostic[] {
  return hostnames.flatMap((hostname, index) => {
    const problem = hostnameProblem(hostname);
    if (problem === undefined) return [];
    const fixed = fixedHostname(hostname);
    return [finding(context.place, "PCL3022", `host name '${hostname}' is not valid: ${problem}`, [...path, index], {
      hint: `${fixed !== hostname && fixed !== "" && hostnameProblem(fixed) === undefined ? `did you mean '${fixed}'? ` : ""}write a DNS name ('api.example.com'), a leading wildcard ('*.example.com'), or '*' for every host`,
    })];
  });
}
