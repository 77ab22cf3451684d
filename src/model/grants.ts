/**
 * Access grants (`access.grants`): reviewed, expiring access for a consumer, a team or a token
 * subject. A grant that is still valid at the compile's instant becomes an allow rule on the
 * routes it names, written into the config before routes resolve, so access checks, Envoy's
 * RBAC, `explain` and the catalog all see it as any other rule. An expired grant adds nothing.
 */
import type { AccessGrant, Access, AllowRule, Api, ApiVersion, GatewayConfig, Identity, Route } from "../config/types.ts";
import type { GrantIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { routeNames } from "./resolve-routes.ts";

type Path = (string | number)[];

function grantee(grant: AccessGrant): string {
  const to = grant.to;
  if ("consumer" in to) return `consumer ${to.consumer}`;
  if ("team" in to) return `team ${to.team}`;
  return `subject ${to.subject} of ${to.identity}`;
}

/** The allow rules that admit the grantee, or a reason they cannot. */
function rulesFor(grant: AccessGrant, identities: Readonly<Record<string, Identity>>): AllowRule[] | string {
  const to = grant.to;
  const apiKeyIdentities = Object.keys(identities)
    .sort()
    .flatMap((name) => {
      const identity = identities[name]!;
      return identity.type === "apiKey" ? [{ name, consumers: identity.consumers }] : [];
    });
  if ("consumer" in to) {
    const holder = apiKeyIdentities.find((identity) => identity.consumers.some((consumer) => consumer.name === to.consumer));
    return holder ? [{ identity: holder.name, consumers: [to.consumer] }] : `no API-key identity has a consumer "${to.consumer}"`;
  }
  if ("team" in to) {
    const rules = apiKeyIdentities.flatMap((identity) => {
      const members = identity.consumers.filter((consumer) => consumer.team === to.team).map((consumer) => consumer.name);
      return members.length > 0 ? [{ identity: identity.name, consumers: members.sort() }] : [];
    });
    return rules.length > 0 ? rules : `no API-key consumer belongs to team "${to.team}"`;
  }
  const identity = Object.hasOwn(identities, to.identity) ? identities[to.identity] : undefined;
  if (identity?.type !== "jwt") return `"${to.identity}" is not a JWT identity`;
  return [{ identity: to.identity, claims: { sub: to.subject } }];
}

/** The access with the grant's rules added; public access and access that already admits everyone stay as they are. */
function widened(access: Access | undefined, rules: readonly AllowRule[]): Access | undefined {
  if (access && "public" in access) return access;
  return { allow: [...(access?.allow ?? []), ...rules] };
}

function grantVersion(version: ApiVersion, routes: readonly string[] | undefined, rules: readonly AllowRule[]): ApiVersion {
  const names = routeNames(version.routes ?? []);
  if (!routes) {
    // Routes with access of their own do not inherit the version's: widen each of them too.
    return { ...version, access: widened(version.access, rules)!, routes: version.routes.map((route) => (route.access ? { ...route, access: widened(route.access, rules)! } : route)) };
  }
  return {
    ...version,
    routes: version.routes.map((route: Route, index) => (routes.includes(names[index]!) ? { ...route, access: widened(route.access ?? version.access, rules)! } : route)),
  };
}

function check(grant: AccessGrant, apis: readonly Api[], report: Reporter, path: Path): { apiIndex: number } | undefined {
  const apiIndex = apis.findIndex((api) => api.name === grant.api);
  const api = apis[apiIndex];
  if (!api) {
    report.error("PCL4112", `Grant names API "${grant.api}", which is not declared.`, [...path, "api"], "Fix the name, or remove the grant.");
    return undefined;
  }
  const version = Object.hasOwn(api.versions, grant.version) ? api.versions[grant.version] : undefined;
  if (!version) {
    report.error("PCL4112", `Grant names version "${grant.version}" of API "${grant.api}", which has no such version.`, [...path, "version"], `Versions: ${Object.keys(api.versions).sort().join(", ")}.`);
    return undefined;
  }
  const names = routeNames(version.routes ?? []);
  const unknown = (grant.routes ?? []).filter((route) => !names.includes(route));
  if (unknown.length > 0) {
    report.error("PCL4112", `Grant names route${unknown.length > 1 ? "s" : ""} ${unknown.map((r) => `"${r}"`).join(", ")} that ${grant.api} ${grant.version} does not have.`, [...path, "routes"], `Routes: ${names.join(", ")}.`);
    return undefined;
  }
  if (grant.requester.trim().toLowerCase() === grant.approver.trim().toLowerCase()) {
    report.error("PCL4113", `Grant is approved by its own requester (${grant.requester}).`, [...path, "approver"], "Access needs a second person: have someone else approve it.");
    return undefined;
  }
  return { apiIndex };
}

/** The config with every valid, unexpired grant written into the access of the routes it names; and every grant for the IR. */
export function applyGrants(config: GatewayConfig, now: number, report: Reporter): { config: GatewayConfig; grants: GrantIR[] } {
  const grants = config.access?.grants ?? [];
  if (grants.length === 0) return { config, grants: [] };
  let apis = [...(config.apis ?? [])];
  const out: GrantIR[] = [];
  grants.forEach((grant, index) => {
    const path: Path = ["access", "grants", index];
    const expiresAt = Date.parse(grant.expires);
    const active = expiresAt > now;
    out.push({ index, grantee: grantee(grant), api: grant.api, version: grant.version, ...(grant.routes ? { routes: [...grant.routes] } : {}), requester: grant.requester, approver: grant.approver, reason: grant.reason, expires: grant.expires, active });
    const target = check(grant, apis, report, path);
    const rules = rulesFor(grant, config.identities ?? {});
    if (typeof rules === "string") {
      report.error("PCL4112", `Grant cannot admit ${grantee(grant)}: ${rules}.`, [...path, "to"], "Name a consumer, a team of consumers, or a JWT identity and subject.");
      return;
    }
    if (!active && target) {
      report.warning("PCL4114", `Grant to ${grantee(grant)} on ${grant.api} ${grant.version} expired at ${grant.expires}: it gives no access any more.`, [...path, "expires"], "Remove the grant, or extend it with a new approval.");
    }
    if (!target || !active) return;
    const api = apis[target.apiIndex]!;
    apis = apis.with(target.apiIndex, { ...api, versions: { ...api.versions, [grant.version]: grantVersion(api.versions[grant.version]!, grant.routes, rules) } });
  });
  return { config: { ...config, apis }, grants: out };
}

/** The next instant a grant of this IR stops working, if any is still active. */
export function nextGrantExpiry(grants: readonly GrantIR[]): number | undefined {
  const instants = grants.filter((grant) => grant.active).map((grant) => Date.parse(grant.expires));
  return instants.length > 0 ? Math.min(...instants) : undefined;
}
