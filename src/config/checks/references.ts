import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import { suggestion } from "../suggest.ts";
import type { GatewayConfig, Provider } from "../types.ts";
import type { Check, CheckContext } from "./context.ts";
import { type AccessSite, accessLocal, routeLocal, versions } from "./walk.ts";

type ProviderKind = "service" | "llm" | "mcp";

const KIND_NAMES: Record<ProviderKind, string> = { service: "a service", llm: "an LLM provider", mcp: "an MCP server" };

function kindOf(provider: Provider): ProviderKind {
  return provider.type === "service" ? "service" : provider.type === "mcp" ? "mcp" : "llm";
}

/** Names that point at providers, identities, versions and model aliases must exist and fit. */
export const checkReferences: Check = (config, context) => [
  ...providerReferences(config, context),
  ...identityReferences(config, context),
  ...versionReferences(config, context),
  ...modelReferences(config, context),
];

interface ProviderReference {
  readonly name: string;
  readonly path: ModelPath;
  readonly kind: ProviderKind;
  readonly use: string;
}

// hasOwn, not a plain lookup: a missing section defaults to {}, which "has" toString.
const providerNamed = (providers: Record<string, Provider>, name: string) => (Object.hasOwn(providers, name) ? providers[name] : undefined);

/** Each route names a service; clean routes are not looked at again while the providers are the same. */
const routeProviders = routeLocal(
  (config) => [config.providers],
  (group, config, context) => {
    const providers = config.providers ?? {};
    const wrong = group.routes.filter(({ route }) => providerNamed(providers, route.provider)?.type !== "service");
    return referenceFindings(wrong.map(({ route, path }) => ({ name: route.provider, path: [...path, "provider"], kind: "service", use: "a route" })), providers, context);
  },
);

function providerReferences(config: GatewayConfig, context: CheckContext): Diagnostic[] {
  const wanted: ProviderReference[] = [];
  for (const [alias, model] of Object.entries(config.ai?.models ?? {})) {
    for (const list of ["targets", "fallbacks"] as const) {
      for (const [index, target] of (model[list] ?? []).entries()) {
        wanted.push({ name: target.provider, path: ["ai", "models", alias, list, index, "provider"], kind: "llm", use: "a model target" });
      }
    }
  }
  for (const [index, mcp] of (config.mcp ?? []).entries()) {
    if (mcp.server !== undefined) wanted.push({ name: mcp.server, path: ["mcp", index, "server"], kind: "mcp", use: "an MCP API" });
    for (const [serverIndex, federated] of (mcp.servers ?? []).entries()) wanted.push({ name: federated.server, path: ["mcp", index, "servers", serverIndex, "server"], kind: "mcp", use: "an MCP API" });
  }
  for (const [index, name] of (config.dev?.demoBackends ?? []).entries()) {
    // An openai-compatible LLM provider gets the demo model (src/dev/demo-llm.ts); any other, the echo service.
    const llm = Object.hasOwn(config.providers ?? {}, name) && config.providers![name]!.type === "openai-compatible";
    wanted.push({ name, path: ["dev", "demoBackends", index], kind: llm ? "llm" : "service", use: "a demo backend" });
  }
  return [...routeProviders(config, context), ...referenceFindings(wanted, config.providers ?? {}, context)];
}

function referenceFindings(wanted: readonly ProviderReference[], providers: Record<string, Provider>, context: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const reference of wanted) {
    const provider = providerNamed(providers, reference.name);
    if (provider && kindOf(provider) === reference.kind) continue;
    const sameKind = Object.keys(providers).filter((n) => kindOf(providers[n] as Provider) === reference.kind);
    if (!provider) {
      out.push(finding(context.place, "PCL3001", `${reference.use} names provider '${reference.name}', which is not defined`, reference.path, {
        hint: suggestion(reference.name, sameKind, KIND_NAMES[reference.kind].replace(/^an? /, "")),
      }));
    } else {
      const code = reference.use === "a demo backend" ? "PCL3018" : "PCL3002";
      out.push(finding(context.place, code, `${reference.use} needs ${KIND_NAMES[reference.kind]}, but '${reference.name}' is ${KIND_NAMES[kindOf(provider)]} (type '${provider.type}')`, reference.path, {
        hint: sameKind.length > 0 ? `name one of: ${sameKind.sort().join(", ")}` : `define ${KIND_NAMES[reference.kind]} in providers`,
      }));
    }
  }
  return out;
}

/** Allow rules name identities that exist, with fields of their type; a route's clean rules are not looked at again while the identities are the same. */
const identityReferences = accessLocal((config) => [config.identities], (sites, config, context) => identityFindings(sites, config.identities ?? {}, context));

function identityFindings(sites: readonly AccessSite[], identities: NonNullable<GatewayConfig["identities"]>, context: CheckContext): Diagnostic[] {
  const names = Object.keys(identities);
  const out: Diagnostic[] = [];
  for (const { access, path } of sites) {
    if (!("allow" in access)) continue;
    for (const [index, rule] of access.allow.entries()) {
      const rulePath = [...path, "allow", index];
      // An address rule (no identity) is checked where it is resolved (src/model/resolve-access.ts).
      if (rule.identity === undefined) continue;
      const identity = Object.hasOwn(identities, rule.identity) ? identities[rule.identity] : undefined;
      if (!identity || !["jwt", "apiKey", "mtls"].includes(identity.type)) {
        if (identity) continue; // its wrong type is already a schema finding
        out.push(finding(context.place, "PCL3003", `allow rule names identity '${rule.identity}', which is not defined`, [...rulePath, "identity"], {
          hint: suggestion(rule.identity, names, "identity"),
        }));
        continue;
      }
      const fits: Record<string, boolean> = {
        scopes: identity.type === "jwt", roles: identity.type === "jwt", groups: identity.type === "jwt", claims: identity.type === "jwt",
        consumers: identity.type === "apiKey", spiffeIds: identity.type === "mtls",
      };
      for (const [field, ok] of Object.entries(fits)) {
        if (!ok && field in rule) {
          out.push(finding(context.place, "PCL3019", `'${field}' does not apply to identity '${rule.identity}' of type '${identity.type}'`, [...rulePath, field], {
            at: "key", hint: `remove '${field}', or name an identity of the type it is for`,
          }));
        }
      }
      const known = identity.type === "apiKey" ? identity.consumers.map((c) => c.name) : [];
      for (const [consumerIndex, consumer] of (identity.type === "apiKey" ? (rule.consumers ?? []) : []).entries()) {
        if (!known.includes(consumer)) {
          out.push(finding(context.place, "PCL3006", `consumer '${consumer}' is not a consumer of identity '${rule.identity}'`, [...rulePath, "consumers", consumerIndex], {
            hint: suggestion(consumer, known, "consumer"),
          }));
        }
      }
    }
  }
  return out;
}

function versionReferences(config: GatewayConfig, context: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { api, version, versionName, path } of versions(config)) {
    if (version.successor === undefined) continue;
    const names = Object.keys(api.versions);
    if (version.successor === versionName) {
      out.push(finding(context.place, "PCL3004", `version '${versionName}' names itself as its successor`, [...path, "successor"], { hint: "name the version that replaces it" }));
    } else if (!names.includes(version.successor)) {
      const others = names.filter((n) => n !== versionName);
      out.push(finding(context.place, "PCL3004", `successor '${version.successor}' is not a version of this API`, [...path, "successor"], {
        hint: others.length > 0 ? suggestion(version.successor, others, "version") : `API '${api.name}' has no other version; define '${version.successor}' or remove 'successor'`,
      }));
    }
  }
  for (const [index, api] of (config.apis ?? []).entries()) {
    const versioning = api.versioning;
    if (versioning?.by === "header" && versioning.default !== undefined && !(versioning.default in api.versions)) {
      out.push(finding(context.place, "PCL3004", `default version '${versioning.default}' is not a version of API '${api.name}'`, ["apis", index, "versioning", "default"], {
        hint: suggestion(versioning.default, Object.keys(api.versions), "version"),
      }));
    }
  }
  return out;
}

function modelReferences(config: GatewayConfig, context: CheckContext): Diagnostic[] {
  const aliases = Object.keys(config.ai?.models ?? {});
  return (config.prompts ?? []).flatMap((prompt, index) =>
    aliases.includes(prompt.model)
      ? []
      : [finding(context.place, "PCL3005", `prompt '${prompt.name}' uses model '${prompt.model}', which is not an alias in ai.models`, ["prompts", index, "model"], {
          hint: suggestion(prompt.model, aliases, "model alias"),
        })]);
}
