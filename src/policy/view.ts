/**
 * IR → the typed view policy rules read (view-schema.ts), as plain values (integers as numbers:
 * the view has no doubles, and CEL's conversion makes them ints, src/policy/evaluate.ts), plus
 * for each subject the waiver target that names it and the config path its findings are placed at.
 * Built from the IR alone: where a finding goes is derived from names and positions the IR keeps.
 */
import type { ModelPath } from "../config/locate.ts";
import type { AccessIR, ApiIR, ApiVersionIR, ClusterIR, GatewayIR, ListenerIR, RateLimitIR, RouteIR, UnversionedRoutesIR } from "../model/ir.ts";
import { beyondVersionAccess } from "./access-breadth.ts";
import type { SubjectKind } from "./view-schema.ts";

type Value = Readonly<Record<string, unknown>>;

/** One thing a rule can be about. */
export interface Subject {
  readonly kind: SubjectKind;
  /** How waivers name it, e.g. `apis.orders.versions.v2.routes.get`. */
  readonly target: string;
  /** Where it is written in the config. */
  readonly path: ModelPath;
  /** Where a rule with `at: access` points (a route's access may be its version's). */
  readonly accessPath?: ModelPath;
  readonly value: Value;
}

export interface PolicyView {
  readonly gateway: Value;
  readonly subjects: readonly Subject[];
  /** The same subjects by kind, kinds and subjects in that order. */
  readonly byKind: ReadonlyMap<SubjectKind, readonly Subject[]>;
}

function accessValue(access: AccessIR): Value {
  return {
    kind: access.kind,
    reason: access.kind === "public" ? access.reason.trim() : "",
    rules: (access.kind === "identities" ? access.rules : []).map((rule) => ({
      identity: rule.identity ?? "",
      identityType: rule.identityType,
      scopes: rule.scopes,
      roles: rule.roles,
      groups: rule.groups,
      consumers: rule.consumers,
      spiffeIds: rule.spiffeIds,
      clientCidrs: rule.clientCidrs,
      claims: rule.claims.map((claim) => ({ name: claim.name, values: claim.values })),
    })),
  };
}

const sameAccess = (a: AccessIR, b: AccessIR | undefined) => b !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** A route's version, or for an unversioned route its API's `unversioned` section. */
type VersionIR = ApiVersionIR | UnversionedRoutesIR;

/** What a route's subject reads of its API and version besides the route itself. */
interface Placement {
  readonly api: ApiIR | undefined;
  readonly version: VersionIR | undefined;
  /** The route's position among its version's routes (its findings' config path); -1 when not listed. */
  readonly index: number;
  /** The version's access as JSON. */
  readonly access: string | undefined;
}

/** What a route subject is built from besides the route: equal for equal subjects. */
interface PlacementKey {
  readonly apiIndex: number | undefined;
  readonly index: number;
  readonly access: string | undefined;
}

const placementKey = (placement: Placement): PlacementKey => ({ apiIndex: placement.api?.index, index: placement.index, access: placement.access });
const samePlacement = (a: PlacementKey, b: Placement) => a.apiIndex === b.api?.index && a.index === b.index && a.access === b.access;

/**
 * Route subjects by IR route. Resolve hands back the same RouteIR for a route that did not change,
 * so after a one-route edit every other route's subject (and the rule results remembered for it,
 * src/policy/evaluate.ts) is reused, as long as its placement is the same.
 */
const routeSubjects = new WeakMap<RouteIR, { readonly api: ApiIR | undefined; readonly placement: PlacementKey; readonly subject: Subject }>();

/** Places routes in their versions, reading each version's access and route order once per view. */
function placer(apis: ReadonlyMap<string, ApiIR>) {
  const versions = new Map<VersionIR, { readonly access: string; readonly index: ReadonlyMap<string, number> }>();
  return (route: RouteIR): Placement => {
    const api = apis.get(route.api);
    // An unversioned route's section (`apis[].unversioned`) plays the part of its version.
    const version = route.unversioned ? api?.unversioned : api?.versions.find((v) => v.name === route.version);
    let facts = version && versions.get(version);
    if (version && !facts) versions.set(version, (facts = { access: JSON.stringify(version.access ?? null), index: new Map(version.routes.map((name, index) => [name, index])) }));
    return { api, version, index: facts?.index.get(route.name) ?? -1, access: facts?.access };
  };
}

/**
 * The route's subject: the one it had, when its API is the same ApiIR (resolve keeps an unchanged
 * API's, so its versions, order and access are the same) or its placement is equal; else a new one.
 */
function routeSubject(route: RouteIR, apis: ReadonlyMap<string, ApiIR>, place: (route: RouteIR) => Placement): Subject {
  const api = apis.get(route.api);
  const remembered = routeSubjects.get(route);
  if (remembered && remembered.api === api) return remembered.subject;
  const placement = place(route);
  const subject = remembered && samePlacement(remembered.placement, placement) ? remembered.subject : newRouteSubject(route, placement);
  routeSubjects.set(route, { api, placement: placementKey(placement), subject });
  return subject;
}

function newRouteSubject(route: RouteIR, { api, version, index }: Placement): Subject {
  const versionPath = route.unversioned ? ["apis", api?.index ?? 0, "unversioned"] : ["apis", api?.index ?? 0, "versions", route.version];
  const path = route.ai ? ["ai"] : index < 0 ? versionPath : [...versionPath, "routes", index];
  const inherited = version?.access !== undefined && sameAccess(route.access, version.access);
  const cors = route.cors;
  const rateLimit = route.rateLimit;
  return {
    kind: "route",
    target: route.ai ? `ai.routes.${route.name}` : route.unversioned ? `apis.${route.api}.unversioned.routes.${route.name}` : `apis.${route.api}.versions.${route.version}.routes.${route.name}`,
    path,
    accessPath: route.ai ? ["ai", "access"] : inherited ? [...versionPath, "access"] : [...path, "access"],
    value: {
      id: route.id.replace(/\.default$/, ""),
      api: route.api,
      version: route.version,
      name: route.name,
      path: route.match.path,
      matchKind: route.match.kind,
      methods: route.match.methods,
      hostnames: route.hostnames,
      state: route.lifecycle.state,
      action: route.action.kind,
      upstream: route.action.kind === "forward" ? route.action.cluster : "",
      access: accessValue(route.access),
      ...(version?.access ? { versionAccess: accessValue(version.access) } : {}),
      beyondVersionAccess: route.ai ? [] : beyondVersionAccess(route.access, version?.access),
      ...(rateLimit ? { rateLimit: rateLimitValue(rateLimit) } : {}),
      ...(cors ? { cors: { origins: cors.origins, methods: cors.methods, credentials: cors.credentials, maxAgeSeconds: cors.maxAgeSeconds } } : {}),
      ai: route.ai !== undefined,
    },
  };
}

function rateLimitValue(limit: RateLimitIR) {
  return { requests: limit.requests, periodSeconds: limit.periodSeconds, by: limit.by, scope: limit.scope, mode: limit.mode, failureMode: limit.failureMode };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** Which part of the config a cluster comes from: an LLM provider, a remote key set, the AI processor, or a service. */
function upstreamOrigin(cluster: ClusterIR, ir: GatewayIR): { kind: string; target: string; path: ModelPath } {
  if (ir.ai?.processor.cluster === cluster.name) return { kind: "ai-processor", target: "ai.processor", path: ["ai", "processor"] };
  const llm = ir.ai?.providers.find((provider) => provider.cluster === cluster.name);
  if (llm) return { kind: "llm", target: `providers.${llm.name}`, path: ["providers", llm.name] };
  const jwks = ir.jwtProviders.find((jwt) => jwt.jwks.kind === "remote" && jwt.jwks.cluster === cluster.name);
  if (jwks) return { kind: "jwks", target: `identities.${jwks.name}`, path: ["identities", jwks.name, "jwks"] };
  return { kind: "service", target: `providers.${cluster.name}`, path: ["providers", cluster.name] };
}

function upstreamSubject(cluster: ClusterIR, ir: GatewayIR): Subject {
  const { kind, target, path } = upstreamOrigin(cluster, ir);
  const tls = cluster.tls;
  return {
    kind: "upstream",
    target,
    path,
    value: {
      name: cluster.name,
      kind,
      endpoints: cluster.endpoints.map((endpoint) => ({ host: endpoint.host, port: endpoint.port })),
      loopback: cluster.endpoints.length > 0 && cluster.endpoints.every((endpoint) => LOOPBACK.test(endpoint.host)),
      protocol: cluster.protocol,
      ...(tls
        ? {
            tls: {
              sni: tls.sni,
              trust: tls.caSecret ? "ca" : "system",
              clientCertificate: tls.clientCertificateSecret !== undefined,
              expectedSpiffeIds: tls.expectedSpiffeIds,
              expectedSans: tls.expectedSans,
            },
          }
        : {}),
    },
  };
}

function listenerSubject(listener: ListenerIR, index: number): Subject {
  const tls = listener.tls;
  const client = tls?.clientCertificate;
  return {
    kind: "listener",
    target: `gateway.listeners.${listener.name}`,
    path: ["gateway", "listeners", index],
    value: {
      name: listener.name,
      address: listener.address,
      port: listener.port,
      hostnames: listener.hostnames,
      ...(tls ? { tls: { minVersion: tls.minVersion, ...(client ? { clientCertificate: { required: client.required } } : {}) } } : {}),
    },
  };
}

/** An API's subjects by its IR (resolve hands back the same ApiIR for an API a reload left alone) and the limit folded into it. */
const apiSubjectsMemo = new WeakMap<ApiIR, { readonly rateLimit: RateLimitIR | undefined; readonly subjects: Subject[] }>();

function apiSubjects(api: ApiIR, rateLimit: RateLimitIR | undefined): Subject[] {
  const known = apiSubjectsMemo.get(api);
  if (known && known.rateLimit === rateLimit) return known.subjects;
  const subjects = newApiSubjects(api, rateLimit);
  apiSubjectsMemo.set(api, { rateLimit, subjects });
  return subjects;
}

function newApiSubjects(api: ApiIR, rateLimit: RateLimitIR | undefined): Subject[] {
  const versions = api.versions.map((version): Subject => ({
    kind: "version",
    target: `apis.${api.name}.versions.${version.name}`,
    path: ["apis", api.index, "versions", version.name],
    value: {
      api: api.name,
      name: version.name,
      state: version.state,
      deprecatedOn: version.deprecatedOn ?? "",
      sunset: version.sunset ?? "",
      successor: version.successor ?? "",
      openapi: api.openapi ?? "",
      routes: version.routes,
      ...(version.access ? { access: accessValue(version.access) } : {}),
    },
  }));
  const value = {
    name: api.name,
    owner: api.owner.trim(),
    description: (api.description ?? "").trim(),
    openapi: api.openapi ?? "",
    versions: versions.map((v) => v.value),
    ...(rateLimit ? { rateLimit: rateLimitValue(rateLimit) } : {}),
  };
  return [{ kind: "api", target: `apis.${api.name}`, path: ["apis", api.index], value }, ...versions];
}

/** The view of `ir`: every subject, and the gateway value that lists them all. */
export function buildView(ir: GatewayIR): PolicyView {
  const apis = new Map(ir.apis.map((api) => [api.name, api]));
  const place = placer(apis);
  const routes = ir.routes.map((route) => routeSubject(route, apis, place));
  const upstreams = ir.clusters.map((cluster) => upstreamSubject(cluster, ir));
  const listeners = ir.listeners.map(listenerSubject);
  const jwts = ir.jwtProviders.map((jwt): Subject => ({
    kind: "jwt",
    target: `identities.${jwt.name}`,
    path: ["identities", jwt.name],
    value: {
      name: jwt.name,
      issuer: jwt.issuer,
      audiences: jwt.audiences,
      jwks: jwt.jwks.kind,
      jwksUri: jwt.jwks.kind === "remote" ? jwt.jwks.uri : "",
      clockSkewSeconds: jwt.clockSkewSeconds,
      tokenHeaders: jwt.fromHeaders.map((header) => header.name),
      tokenParams: jwt.fromParams,
      tokenCookies: jwt.fromCookies,
    },
  }));
  const apiKeys = ir.apiKeyProviders.map((identity): Subject => ({
    kind: "apiKey",
    target: `identities.${identity.name}`,
    path: ["identities", identity.name],
    value: {
      name: identity.name,
      header: "header" in identity.source ? identity.source.header : "",
      query: "query" in identity.source ? identity.source.query : "",
      consumers: identity.consumers.map((consumer) => ({ name: consumer.name, team: consumer.team ?? "" })),
    },
  }));
  // An API's limit is folded into each route it covers: any one of them has it.
  const apiLimits = new Map<string, RateLimitIR>();
  for (const route of ir.routes) if (route.apiRateLimit) apiLimits.set(route.api, route.apiRateLimit);
  const apiSubjectsAll = ir.apis.flatMap((api) => apiSubjects(api, apiLimits.get(api.name)));
  const subjects = [...listeners, ...jwts, ...apiKeys, ...upstreams, ...apiSubjectsAll, ...routes];
  // Routes are most of a gateway's subjects and all of one kind: listed as they are, not sorted out again.
  const byKind = new Map<SubjectKind, Subject[]>();
  for (const subject of subjects.slice(0, subjects.length - routes.length)) {
    const ofKind = byKind.get(subject.kind);
    if (ofKind) ofKind.push(subject);
    else byKind.set(subject.kind, [subject]);
  }
  if (routes.length > 0) byKind.set("route", routes);
  const values = (kind: SubjectKind) => (byKind.get(kind) ?? []).map((s) => s.value);
  const gateway = {
    name: ir.name,
    trustedProxyHops: ir.trustedProxyHops,
    routes: values("route"),
    upstreams: values("upstream"),
    listeners: values("listener"),
    jwtIdentities: values("jwt"),
    apiKeyIdentities: values("apiKey"),
    apis: values("api"),
  };
  return { gateway, subjects, byKind };
}
