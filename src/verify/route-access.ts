/**
 * Every route that forwards to an upstream is covered by access rules (RBAC) whose every admitting
 * principal rests on something a filter verified — a JWT jwt_authn must check on that route, an
 * API-key consumer api_key_auth sets, a client certificate the listener checks, the client
 * address — or it turns the access rules off and the compile result marks it public. Direct
 * responses (guards, 405, 410, metadata documents) reach no upstream and are not routes here.
 */
import { RBAC_Action } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";
import type { Route, VirtualHost } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import type { RouteConfiguration } from "../../generated/envoy/config/route/v3/route_pb.js";
import type { Any } from "@bufbuild/protobuf/wkt";
import { type RBACPerRoute, RBACPerRouteSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { PerRouteConfigSchema } from "../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import { hostQualifiedId, routeIdAmong } from "../xds/route-metadata.ts";
import { isScopeOf } from "../xds/route-scopes.ts";
import type { VerifyExpectations } from "./expectations.ts";
import type { IdSet } from "./id-layers.ts";
import { apiKeyRouteHeader, type ChainFacts, chainFacts, chainKey, effectiveConfig, RBAC_FILTER, verifiesProvider } from "./filter-chain.ts";
import { JWT_AUTHN_FILTER, type Need, needsOf } from "./principals.ts";
import { anyContentKey, type ConnectionManager, type GeneratedResources, unpackAs } from "./resources.ts";
import { type ResourceRef, type Violation, Violations } from "./violations.ts";

interface RouteAt {
  readonly route: Route;
  readonly host: VirtualHost;
  readonly config: RouteConfiguration;
  readonly resource: ResourceRef;
}

/** Field path of the route in its RouteConfiguration (written out only for a violation). */
const fieldOf = (at: RouteAt) => `virtual_hosts["${at.host.name}"].routes["${at.route.name}"]`;

/** Whether the route's own config makes jwt_authn verify the provider whose payload lands under `metadataKey`. */
function jwtVerified(at: RouteAt, chain: ChainFacts, metadataKey: string): boolean {
  const jwt = chain.jwt;
  if (!jwt || (chain.rbacAt !== undefined && jwt.at > chain.rbacAt)) return false;
  const perRoute = unpackAs(effectiveConfig(JWT_AUTHN_FILTER, at.route, at.host, at.config), PerRouteConfigSchema);
  if (perRoute?.requirementSpecifier.case !== "requirementName") return false;
  const requirement = jwt.config.requirementMap[perRoute.requirementSpecifier.value];
  const providers = Object.entries(jwt.config.providers).filter(([, provider]) => provider.payloadInMetadata === metadataKey || provider.headerInMetadata === metadataKey);
  return providers.some(([name]) => verifiesProvider(requirement, name));
}

/** Whether an api_key_auth filter before the access rules is enabled on the route and writes `header`. */
function apiKeyVerified(at: RouteAt, chain: ChainFacts, header: string): boolean {
  return [...chain.apiKeys].some(([name, entry]) => {
    if (chain.rbacAt !== undefined && entry.at > chain.rbacAt) return false;
    const perRoute = apiKeyRouteHeader(effectiveConfig(name, at.route, at.host, at.config));
    return perRoute !== undefined && (perRoute.header ?? entry.header) === header;
  });
}

function checkNeed(at: RouteAt, chain: ChainFacts, policy: string, need: Need, out: Violations): void {
  const field = () => `${fieldOf(at)}.typed_per_filter_config`;
  if (need.kind === "jwt" && !jwtVerified(at, chain, need.metadataKey)) {
    out.add("PCL6006", at.resource, `${field()}["${JWT_AUTHN_FILTER}"]`, `policy ${policy} reads the JWT of ${need.metadataKey}, but no jwt_authn requirement of this route verifies that token before the access rules run.`);
  } else if (need.kind === "header" && !apiKeyVerified(at, chain, need.name)) {
    out.add("PCL6007", at.resource, `${field()}["envoy.filters.http.api_key_auth"]`, `policy ${policy} admits by the ${need.name} header, but no api_key_auth filter enabled on this route sets it before the access rules run.`);
  } else if (need.kind === "peer-certificate" && chain.clientCertificates === "unverified") {
    out.add("PCL6008", at.resource, `${field()}["${RBAC_FILTER}"]`, `policy ${policy} admits by client certificate, but the listener accepts certificates it did not verify, so a client names its own SAN.`);
  }
}

/**
 * Per-route RBAC configs, decoded: by the Any itself, which serve's recompiles hand back for every
 * route they did not change (so verifying a snapshot after a one-route edit decodes that route's
 * config alone), and within one verification by content, since routes of one API version share
 * their rules byte for byte. Decoding is most of the verifier's time (about 1.3 MB for 1,000 routes).
 */
const decodedRbac = new WeakMap<Any, RBACPerRoute | null>();

class RbacDecoder {
  readonly #byContent = new Map<string, RBACPerRoute | null>();

  decode(any: Any | undefined): RBACPerRoute | undefined {
    if (!any) return undefined;
    let decoded = decodedRbac.get(any);
    if (decoded === undefined) {
      const key = anyContentKey(any);
      decoded = this.#byContent.get(key);
      if (decoded === undefined) this.#byContent.set(key, (decoded = unpackAs(any, RBACPerRouteSchema) ?? null));
      decodedRbac.set(any, decoded);
    }
    return decoded ?? undefined;
  }
}

/**
 * A route with the access rules off (its name, and its id within the API version its virtual host
 * names, when it names one), and whether the compile result made it public (PCL6002).
 */
interface PublicRouteCheck {
  readonly name: string;
  readonly qualified: string | undefined;
  readonly public: boolean;
}

const madePublic = (expected: VerifyExpectations, check: Omit<PublicRouteCheck, "public">) => {
  const isPublic = (id: string) => expected.publicRoutes.has(id);
  return isPublic(routeIdAmong(check.name, check.qualified, isPublic));
};

function verifyRoute(at: RouteAt, chain: ChainFacts, rbac: RbacDecoder, expected: VerifyExpectations, out: Violations, publics: PublicRouteCheck[]): boolean {
  const field = () => `${fieldOf(at)}.typed_per_filter_config["${RBAC_FILTER}"]`;
  const perRoute = rbac.decode(effectiveConfig(RBAC_FILTER, at.route, at.host, at.config));
  if (!perRoute) {
    out.add("PCL6001", at.resource, field(), "the route forwards to an upstream with no access rules of its own, and is not marked public.");
    return false;
  }
  if (!perRoute.rbac) {
    const check = { name: at.route.name, qualified: hostQualifiedId(at.host, at.route.name) };
    const made = madePublic(expected, check);
    publics.push({ ...check, public: made });
    if (!made) out.add("PCL6002", at.resource, field(), "turns the access rules off (public), but the compile result does not make this route public.");
    return false;
  }
  const rules = perRoute.rbac.rules;
  if (!rules || rules.action !== RBAC_Action.ALLOW) {
    out.add("PCL6003", at.resource, `${field()}.rbac.rules`, rules ? `action is ${RBAC_Action[rules.action]}, not ALLOW: what no policy names gets in.` : "no enforcing rules: every request gets in.");
    return true;
  }
  for (const [name, policy] of Object.entries(rules.policies)) {
    const needs = new Map<string, Need>();
    for (const principal of policy.principals) {
      const principalNeeds = needsOf(principal);
      if (!principalNeeds) out.add("PCL6005", at.resource, `${field()}.rbac.rules.policies["${name}"]`, "a principal matches without any verified credential, certificate or client address.");
      for (const need of principalNeeds ?? []) needs.set(JSON.stringify(need), need);
    }
    for (const need of needs.values()) checkNeed(at, chain, name, need, out);
  }
  return true;
}

/**
 * The route configurations a connection manager takes its routes from: the one RDS names, or those
 * of the listener's route scopes;
 * a string saying why none could be found.
 */
function routeTablesOf(manager: ConnectionManager, resources: GeneratedResources): RouteConfiguration[] | string {
  const spec = manager.hcm.routeSpecifier;
  let names: string[];
  if (spec.case === "rds") names = [spec.value.routeConfigName];
  else if (spec.case === "scopedRoutes" && spec.value.configSpecifier.case === "scopedRds") {
    names = resources.routeScopes.filter((scope) => isScopeOf(scope, manager.listener.name)).map((scope) => scope.routeConfigurationName);
    if (names.length === 0) return "takes its routes from route scopes, but the snapshot holds none keyed by its listener";
  } else return "does not take its routes over RDS or scoped RDS, so no route of it could be checked";
  const missing = names.find((name) => !resources.routeConfigurations.has(name));
  return missing === undefined ? names.map((name) => resources.routeConfigurations.get(name)!) : `names route configuration ${missing}, which the snapshot does not hold`;
}

/** What verifying one route configuration under one connection manager's filter chain found. */
interface TableVerdict {
  readonly chain: string;
  readonly violations: readonly Violation[];
  readonly reliesOnRbac: boolean;
  readonly publics: readonly PublicRouteCheck[];
  /** Every id the public checks look up (names and qualified ids). */
  readonly publicIds: ReadonlySet<string>;
  /** The compile result's public routes the checks were last found to hold for. */
  heldFor: IdSet;
}

/**
 * Whether each public route of the table is as public in the compile result as it was. After a
 * recompile, only the ids of routes added or removed since the set the verdict held for can have
 * come in or gone: when the table looks up none of them, no route needs looking at.
 */
function publicsHold(verdict: TableVerdict, expected: VerifyExpectations): boolean {
  if (verdict.heldFor === expected.publicRoutes) return true;
  const change = expected.publicChange;
  const untouched = change?.previous === verdict.heldFor && ![...change.changedIds].some((id) => verdict.publicIds.has(id));
  if (!untouched && !verdict.publics.every((check) => madePublic(expected, check) === check.public)) return false;
  verdict.heldFor = expected.publicRoutes;
  return true;
}

/**
 * By route configuration: serve's recompiles hand back the same message for every table an edit
 * left alone. Its verdict stands while the chain facts are equal and each of its public routes is
 * as public in the compile result as it was — the only inputs from outside the table — so
 * verifying after a one-route edit looks into that route's table alone.
 */
const verdicts = new WeakMap<RouteConfiguration, TableVerdict>();

function tableVerdict(config: RouteConfiguration, chain: ChainFacts, key: string, rbac: RbacDecoder, expected: VerifyExpectations): TableVerdict {
  const known = verdicts.get(config);
  if (known?.chain === key && publicsHold(known, expected)) return known;
  const out = new Violations();
  const publics: PublicRouteCheck[] = [];
  let reliesOnRbac = false;
  for (const host of config.virtualHosts) {
    for (const route of host.routes) {
      if (route.action.case !== "route") continue;
      reliesOnRbac = verifyRoute({ route, host, config, resource: { kind: "RouteConfiguration", name: config.name } }, chain, rbac, expected, out, publics) || reliesOnRbac;
    }
  }
  const publicIds = new Set(publics.flatMap((check) => (check.qualified === undefined ? [check.name] : [check.name, check.qualified])));
  const verdict = { chain: key, violations: out.list, reliesOnRbac, publics, publicIds, heldFor: expected.publicRoutes };
  verdicts.set(config, verdict);
  return verdict;
}

/** Checks the routes of the route configurations each connection manager takes its routes from. */
export function verifyRouteAccess(resources: GeneratedResources, expected: VerifyExpectations, out: Violations): void {
  for (const manager of resources.connectionManagers) {
    const tables = routeTablesOf(manager, resources);
    if (typeof tables === "string") {
      out.add("PCL6021", { kind: "Listener", name: manager.listener.name }, `${manager.at}.route_specifier`, `${tables}.`);
      continue;
    }
    const chain = chainFacts(manager);
    const key = chainKey(chain);
    const rbac = new RbacDecoder();
    const relyingOnRbac: string[] = [];
    for (const config of tables) {
      const verdict = tableVerdict(config, chain, key, rbac, expected);
      out.list.push(...verdict.violations);
      if (verdict.reliesOnRbac) relyingOnRbac.push(config.name);
    }
    if (relyingOnRbac.length > 0 && chain.rbacAt === undefined) {
      const configs = relyingOnRbac.join(", ");
      out.add("PCL6004", { kind: "Listener", name: manager.listener.name }, `${manager.at}.http_filters`, `routes of ${configs} carry access rules, but no enabled ${RBAC_FILTER} filter runs before the router, so none is enforced.`);
    }
  }
}
