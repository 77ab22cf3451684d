import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Check, CheckContext } from "./context.ts";
import { NO_INPUTS, routeLocal } from "./walk.ts";

/** Names that must be unique in their scope: the second and later uses are reported. */
export const checkDuplicateNames: Check = (config, context) => {
  const out: Diagnostic[] = [];
  const unique = (what: string, entries: { name: string | undefined; path: ModelPath }[]) => out.push(...duplicates(what, entries, context));
  unique("listener", config.gateway.listeners.map((l, i) => ({ name: l.name, path: ["gateway", "listeners", i, "name"] })));
  unique("API", (config.apis ?? []).map((a, i) => ({ name: a.name, path: ["apis", i, "name"] })));
  out.push(...routeNames(config, context));
  // A consumer or client name identifies a caller in logs and budgets, so it is unique across identities.
  const callers: { name: string; path: ModelPath }[] = [];
  for (const [id, identity] of Object.entries(config.identities ?? {})) {
    if (identity.type === "apiKey") for (const [i, c] of identity.consumers.entries()) callers.push({ name: c.name, path: ["identities", id, "consumers", i, "name"] });
    if (identity.type === "mtls") for (const [i, c] of identity.clients.entries()) callers.push({ name: c.name, path: ["identities", id, "clients", i, "name"] });
  }
  unique("consumer or client", callers);
  unique("budget", (config.ai?.budgets ?? []).map((b, i) => ({ name: b.name, path: ["ai", "budgets", i, "name"] })));
  unique("prompt API", (config.prompts ?? []).map((p, i) => ({ name: p.name, path: ["prompts", i, "name"] })));
  unique("MCP API", (config.mcp ?? []).map((m, i) => ({ name: m.name, path: ["mcp", i, "name"] })));
  return out;
};

/** Route names are unique in their version. */
const routeNames = routeLocal(NO_INPUTS, ({ site }, _config, context) =>
  site ? duplicates(`route in ${site.api.name} ${site.versionName}`, site.version.routes.map((r, i) => ({ name: r.name, path: [...site.path, "routes", i, "name"] })), context) : []);

function duplicates(what: string, entries: { name: string | undefined; path: ModelPath }[], context: CheckContext): Diagnostic[] {
  const first = new Map<string, ModelPath>();
  const out: Diagnostic[] = [];
  for (const { name, path } of entries) {
    if (name === undefined) continue;
    const earlier = first.get(name);
    if (!earlier) {
      first.set(name, path);
      continue;
    }
    const line = context.place.locate(earlier)?.line;
    out.push(finding(context.place, "PCL3007", `${what} name '${name}' is used twice`, path, {
      hint: `it is already used${line ? ` on line ${line}` : ""}; rename one of them`,
    }));
  }
  return out;
}

/** Two listeners cannot bind the same port on overlapping addresses. */
export const checkPorts: Check = (config, context) => {
  const out: Diagnostic[] = [];
  const bound: { address: string; port: number; index: number }[] = [];
  for (const [index, listener] of config.gateway.listeners.entries()) {
    const address = listener.address ?? "0.0.0.0";
    const clash = bound.find((b) => b.port === listener.port && (b.address === address || b.address === "0.0.0.0" || address === "0.0.0.0" || b.address === "::" || address === "::"));
    if (clash) {
      const other = config.gateway.listeners[clash.index]?.name ?? String(clash.index);
      out.push(finding(context.place, "PCL3011", `port ${listener.port} is already used by listener '${other}'`, ["gateway", "listeners", index, "port"], {
        hint: "give each listener its own port, or serve both sets of hostnames from one listener",
      }));
    }
    bound.push({ address, port: listener.port, index });
  }
  return out;
};

const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Provider and identity names become Envoy cluster names and generated file names, so they follow
 * the same rule as every other name: "a/b" and "a_b" would otherwise share one generated file.
 */
export const checkResourceNames: Check = (config, context) => {
  const keys = [
    ...Object.keys(config.providers ?? {}).map((name) => ({ name, section: "providers", what: "provider" })),
    ...Object.keys(config.identities ?? {}).map((name) => ({ name, section: "identities", what: "identity" })),
  ];
  return keys
    .filter(({ name }) => !RESOURCE_NAME.test(name))
    .map(({ name, section, what }) => {
      const fixed = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 63);
      return finding(context.place, "PCL3030", `${what} name '${name}' must be lowercase letters, digits and dashes, starting with a letter`, [section, name], {
        at: "key",
        hint: fixed ? `rename it, e.g. to '${fixed}'` : "rename it, starting with a letter",
      });
    });
};
