/**
 * IR → the typed view policy rules read (view-schema.ts), as plain values (integers as numbers:
 * the view has no doubles, and CEL's conversion makes them ints, src/policy/evaluate.ts), plus
 * for each subject the waiver target that names it and the config path its findings are placed at.
 * Built from the IR alone: where a finding goes is derived from names and positions the IR keeps.
 */
import type { ModelPath } from "../config/locate.ts";
import type { ApiIR, ClusterIR, GatewayIR, ListenerIR, RateLimitIR, RouteIR } from "../model/ir.ts";
import { type RouteSubjectsChange, routeSubjectsOf } from "./route-subjects.ts";
import { accessValue, rateLimitValue, type Value } from "./subject-values.ts";
import type { SubjectKind } from "./view-schema.ts";

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
  /** How the route subjects follow from the last compile's, when they were updated from those. */
  readonly routeChange?: RouteSubjectsChange;
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

/** An API's limit by its routes (the same array while none of them changed), null for none. */
const limitByRoutes = new WeakMap<readonly RouteIR[], RateLimitIR | null>();

/** An API's limit is folded into each route it covers: any one of them has it (the last in match order is taken). */
function apiLimit(routes: readonly RouteIR[]): RateLimitIR | undefined {
  let limit = limitByRoutes.get(routes);
  if (limit === undefined) {
    limit = routes.findLast((route) => route.apiRateLimit)?.apiRateLimit ?? null;
    limitByRoutes.set(routes, limit);
  }
  return limit ?? undefined;
}

/** The view of `ir`: every subject, and the gateway value that lists them all. */
export function buildView(ir: GatewayIR): PolicyView {
  const apis = new Map(ir.apis.map((api) => [api.name, api]));
  const routes = routeSubjectsOf(ir, apis);
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
  const apiLimits = new Map<string, RateLimitIR>();
  for (const [name, apiRoutes] of routes.byApi) {
    const limit = apiLimit(apiRoutes);
    if (limit) apiLimits.set(name, limit);
  }
  const apiSubjectsAll = ir.apis.flatMap((api) => apiSubjects(api, apiLimits.get(api.name)));
  const others = [...listeners, ...jwts, ...apiKeys, ...upstreams, ...apiSubjectsAll];
  // Routes are most of a gateway's subjects and all of one kind: listed as they are, not sorted out again.
  const othersByKind = new Map<SubjectKind, Subject[]>();
  for (const subject of others) {
    const ofKind = othersByKind.get(subject.kind);
    if (ofKind) ofKind.push(subject);
    else othersByKind.set(subject.kind, [subject]);
  }
  const byKind = new Map<SubjectKind, readonly Subject[]>(othersByKind);
  if (routes.subjects.length > 0) byKind.set("route", routes.subjects);
  const values = (kind: SubjectKind) => (byKind.get(kind) ?? []).map((s) => s.value);
  const gateway = {
    name: ir.name,
    trustedProxyHops: ir.trustedProxyHops,
    routes: routes.values,
    upstreams: values("upstream"),
    listeners: values("listener"),
    jwtIdentities: values("jwt"),
    apiKeyIdentities: values("apiKey"),
    apis: values("api"),
  };
  return { gateway, subjects: [...others, ...routes.subjects], byKind, ...(routes.change ? { routeChange: routes.change } : {}) };
}
