/**
 * The route tables the propagation benchmark pushes to Envoy: bare hand-built routes (path +
 * cluster, the floor of what an RDS update can cost), the same routes split into route scopes
 * (SRDS, keyed on the first path segment) over delta xDS — where an edit sends and rebuilds only
 * its scope's route config — and what Portcullis really ships: a generated GatewayConfig compiled
 * by `compileGateway` (names, timeouts, method matches, metadata, lifecycle headers, per-route
 * rate limits, CORS) and applied the way `serve` applies it.
 * Each change adds one route; everything a change needs is prepared before the clock starts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { type CompileGatewayResult, type CompileResult, compileGateway, compileGatewayFile } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { ControlPlane } from "../../src/server/control-plane.ts";
import { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { buildSnapshot, type Snapshot, type XdsResource } from "../../src/xds/snapshot.ts";
import { clusterResource, endpointsResource, gatewaySnapshot, manyRoutes, resourceFromJson, routeConfigResource, type TestRoute } from "../../test/support/snapshots.ts";
import { generatedConfig } from "../compile-fixture.ts";

/** What one change cost on the server before Envoy got it. */
export interface ServerTimings {
  /** Config → snapshot (resolve + translate + encode + hash); 0 when nothing is compiled. */
  readonly compileMs: number;
  /** Snapshot → written to the ADS streams. */
  readonly controlPlaneMs: number;
}

export interface PreparedChange {
  /** Path of the route this change adds. */
  readonly path: string;
  /** The timed part: make the change reach the control plane and be pushed. */
  readonly push: () => ServerTimings | Promise<ServerTimings>;
}

export interface PropagationVariant {
  readonly label: string;
  readonly compiles: boolean;
  /** Envoy takes its config over incremental (delta) ADS instead of state-of-the-world. */
  readonly delta?: boolean;
  /** Host header the routes are served for. */
  readonly host: string;
  /** A route that exists from the start: the round-trip floor. */
  readonly existingPath: string;
  /** Serves the initial table of `routeCount` routes. */
  readonly start: () => void | Promise<void>;
  readonly prepare: (change: number) => PreparedChange;
}

export interface VariantTarget {
  readonly plane: ControlPlane;
  /** gateway name = node.cluster of the Envoy that gets it. */
  readonly gateway: string;
  readonly routeCount: number;
  readonly listenerPort: number;
  readonly backendPort: number;
}

function timed(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

export function bareVariant(target: VariantTarget): PropagationVariant {
  const clusters = [{ name: "a", port: target.backendPort }];
  let routes: TestRoute[] = manyRoutes(target.routeCount, "a");
  const serve = (snapshot: ReturnType<typeof gatewaySnapshot>) => target.plane.cache.setSnapshot(target.gateway, snapshot);
  return {
    label: "bare routes",
    compiles: false,
    host: "bench.local",
    existingPath: "/r0",
    start: () => serve(gatewaySnapshot({ listenerPort: target.listenerPort, routes, clusters })),
    prepare: (change) => {
      const path = `/new-${change}`;
      routes = [...routes, { path, cluster: "a" }];
      const snapshot = gatewaySnapshot({ listenerPort: target.listenerPort, routes, clusters });
      return { path, push: () => ({ compileMs: 0, controlPlaneMs: timed(() => serve(snapshot)) }) };
    },
  };
}

/** Scopes of the scoped variant: routes /s{k}/… are in scope k. */
const SCOPES = 30;
const ADS = { ads: {}, resource_api_version: "V3" };

/** One listener whose connection manager picks a route scope by the first segment of the path. */
function scopedListener(port: number): XdsResource {
  return resourceFromJson(ListenerSchema, "http", {
    name: "http",
    address: { socket_address: { address: "127.0.0.1", port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
              stat_prefix: "http",
              scoped_routes: {
                name: "scopes",
                scope_key_builder: { fragments: [{ header_value_extractor: { name: ":path", element_separator: "/", index: 1 } }] },
                rds_config_source: ADS,
                scoped_rds: { scoped_rds_config_source: ADS },
              },
              http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }],
            },
          },
        ],
      },
    ],
  });
}

function scopedSnapshot(target: VariantTarget, routes: readonly TestRoute[]): Snapshot {
  const byScope = new Map<string, TestRoute[]>();
  for (const route of routes) {
    const scope = route.path.split("/")[1]!;
    byScope.set(scope, [...(byScope.get(scope) ?? []), route]);
  }
  return buildSnapshot([
    scopedListener(target.listenerPort),
    clusterResource("a"),
    endpointsResource("a", target.backendPort),
    ...[...byScope].flatMap(([scope, scoped]) => [
      routeConfigResource(`routes-${scope}`, scoped),
      resourceFromJson(ScopedRouteConfigurationSchema, `scope-${scope}`, { name: `scope-${scope}`, route_configuration_name: `routes-${scope}`, key: { fragments: [{ string_key: scope }] } }),
    ]),
  ]);
}

export function scopedVariant(target: VariantTarget): PropagationVariant {
  let routes: TestRoute[] = manyRoutes(target.routeCount, "a").map((route, index) => ({ ...route, path: `/s${index % SCOPES}${route.path}` }));
  const serve = (snapshot: Snapshot) => target.plane.cache.setSnapshot(target.gateway, snapshot);
  return {
    label: `bare routes in ${SCOPES} scopes (SRDS), delta xDS`,
    compiles: false,
    delta: true,
    host: "bench.local",
    existingPath: "/s0/r0",
    start: () => serve(scopedSnapshot(target, routes)),
    prepare: (change) => {
      const path = `/s${change % SCOPES}/new-${change}`;
      routes = [...routes, { path, cluster: "a" }];
      const snapshot = scopedSnapshot(target, routes);
      return { path, push: () => ({ compileMs: 0, controlPlaneMs: timed(() => serve(snapshot)) }) };
    },
  };
}

/** The generated benchmark config, served on loopback with every provider pointing at the local backend. */
function loopbackConfig(target: VariantTarget): GatewayConfig {
  const config = generatedConfig(target.routeCount, target.gateway);
  for (const listener of config.gateway.listeners) {
    listener.address = "127.0.0.1";
    listener.port = target.listenerPort;
  }
  for (const provider of Object.values(config.providers ?? {})) {
    if (provider.type === "service") provider.endpoints = [`127.0.0.1:${target.backendPort}`];
  }
  return config;
}

/**
 * Hands a compile's result to the control plane as `serve` does — the IR, and for a file its config
 * and locator, so the serve-time checks (the verifier) and resource origins run before the push —
 * timing that part.
 */
function serveCompiled(target: VariantTarget, file: string, compiled: CompileGatewayResult & Partial<Pick<CompileResult, "config" | "locate">>, compileMs: number): ServerTimings {
  if (!compiled.snapshot) throw new Error(`compile failed: ${JSON.stringify(compiled.diagnostics.slice(0, 3))}`);
  const outcome = { ...compiled, file, gateway: target.gateway };
  return { compileMs, controlPlaneMs: timed(() => target.plane.configs.apply(outcome)) };
}

/** Adds route `change` to one API's published version (round robin); the path it is served at. */
function addRoute(config: GatewayConfig, change: number): string {
  const apis = config.apis!;
  const api = apis[change % apis.length]!;
  api.versions["v2"]!.routes.push({ name: `new-${change}`, match: { path: `/new-${change}`, methods: ["GET"] }, provider: "svc-0" });
  return `/v2${api.basePath}/new-${change}`;
}

/** /res1/{id} of the published v2 of api-0: a template route without rate limit (see compile-fixture.ts). */
const existingPath = (config: GatewayConfig) => `/v2${config.apis![0]!.basePath}/res1/42`;

/**
 * The config written as a YAML file and each change saved to it, then loaded and compiled as
 * `serve --watch` does on a change (less its 20 ms debounce): the edit is reread alone and the
 * routes it left alone keep their objects (src/config/load/yaml-reread.ts).
 */
export function fileVariant(target: VariantTarget, changes: number): PropagationVariant {
  const file = join(mkdtempSync(join(tmpdir(), "portcullis-propagation-")), "gateway.yaml");
  const config = loopbackConfig(target);
  const first = stringify(config);
  // Every change's text is written out before the first one is timed: the megabytes of garbage
  // that writing a 3,000-route file makes would otherwise be collected during the timed recompiles.
  const texts = Array.from({ length: changes }, (_, change) => ({ path: addRoute(config, change), text: stringify(config) }));
  const apply = async (): Promise<ServerTimings> => {
    const start = performance.now();
    const compiled = await compileGatewayFile(file);
    return serveCompiled(target, file, compiled, performance.now() - start);
  };
  return {
    label: "YAML file edit (route scopes), delta xDS",
    compiles: true,
    delta: true,
    host: config.gateway.listeners[0]!.hostnames[0]!,
    existingPath: existingPath(config),
    start: async () => {
      writeFileSync(file, first);
      await apply();
    },
    prepare: (change) => {
      const { path, text } = texts[change]!;
      writeFileSync(file, text);
      return { path, push: apply };
    },
  };
}

/** The compiled config over state-of-the-world (every scope's route table resent on each change) or delta xDS. */
export function compiledVariant(target: VariantTarget, delta: boolean): PropagationVariant {
  const file = `bench:${target.gateway}`;
  let config = loopbackConfig(target);
  const apply = (next: GatewayConfig): ServerTimings => {
    const start = performance.now();
    const compiled = compileGateway(next);
    return serveCompiled(target, file, compiled, performance.now() - start);
  };
  return {
    label: `compiled config (route scopes), ${delta ? "delta" : "state-of-the-world"} xDS`,
    compiles: true,
    delta,
    host: config.gateway.listeners[0]!.hostnames[0]!,
    existingPath: existingPath(config),
    start: () => void apply(config),
    prepare: (change) => {
      // A fresh copy, as a config built in code is: no object is shared with the last compile.
      config = structuredClone(config);
      const path = addRoute(config, change);
      const next = config;
      return { path, push: () => apply(next) };
    },
  };
}
