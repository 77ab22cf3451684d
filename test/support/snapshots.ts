/**
 * Hand-built gateway snapshots for control-plane tests, written as Envoy JSON and turned into
 * resources with the generated types: one HTTP listener (HCM, routes over ADS), one route config,
 * EDS clusters over ADS and their endpoints. Independent of the compiler on purpose.
 */
import type { DescMessage, JsonValue } from "@bufbuild/protobuf";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ClusterLoadAssignmentSchema } from "../../generated/envoy/config/endpoint/v3/endpoint_pb.js";
import { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { fromEnvoyJson } from "../../src/envoy/encode.ts";
import { buildSnapshot, makeResource, type Snapshot, type XdsResource } from "../../src/xds/snapshot.ts";

export interface TestRoute {
  /** Exact path, e.g. "/orders" (or, with `prefix`, a path prefix matched segment by segment). */
  readonly path: string;
  readonly prefix?: boolean;
  readonly cluster: string;
}

export interface TestCluster {
  readonly name: string;
  readonly port: number;
}

export interface TestGateway {
  readonly listenerPort: number;
  readonly routes: readonly TestRoute[];
  readonly clusters: readonly TestCluster[];
  /** Extra (possibly invalid) resources to add, e.g. one Envoy will reject. */
  readonly extra?: readonly XdsResource[];
  readonly listenerName?: string;
  readonly routeConfigName?: string;
}

const ADS = { ads: {}, resource_api_version: "V3" };

export function resourceFromJson(schema: DescMessage, name: string, json: JsonValue): XdsResource {
  return makeResource(schema, name, fromEnvoyJson(schema, json));
}

function httpConnectionManager(statPrefix: string, routeConfigName: string): JsonValue {
  return {
    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    stat_prefix: statPrefix,
    rds: { route_config_name: routeConfigName, config_source: ADS },
    http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }],
  };
}

function listenerResource(name: string, port: number, routeConfigName: string): XdsResource {
  return resourceFromJson(ListenerSchema, name, {
    name,
    address: { socket_address: { address: "127.0.0.1", port_value: port } },
    filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: httpConnectionManager(name, routeConfigName) }] }],
  });
}

/** A gRPC (proxyless xDS) API listener: what an `xds:///name` target resolves. */
export function apiListenerResource(name: string, routeConfigName: string): XdsResource {
  return resourceFromJson(ListenerSchema, name, { name, api_listener: { api_listener: httpConnectionManager(name, routeConfigName) } });
}

export function routeConfigResource(name: string, routes: readonly TestRoute[]): XdsResource {
  return resourceFromJson(RouteConfigurationSchema, name, {
    name,
    virtual_hosts: [
      {
        name: "all",
        domains: ["*"],
        routes: routes.map((route) => ({ match: route.prefix ? { path_separated_prefix: route.path } : { path: route.path }, route: { cluster: route.cluster } })),
      },
    ],
  });
}

export function clusterResource(name: string): XdsResource {
  return resourceFromJson(ClusterSchema, name, {
    name,
    type: "EDS",
    connect_timeout: "1s",
    eds_cluster_config: { eds_config: ADS },
  });
}

export function endpointsResource(name: string, port: number): XdsResource {
  return resourceFromJson(ClusterLoadAssignmentSchema, name, {
    cluster_name: name,
    // gRPC's xDS client ignores endpoint groups without a locality and a locality weight.
    endpoints: [{ locality: { zone: "local" }, load_balancing_weight: 1, lb_endpoints: [{ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: port } } } }] }],
  });
}

export function gatewaySnapshot(gateway: TestGateway): Snapshot {
  const routeConfigName = gateway.routeConfigName ?? "routes";
  return buildSnapshot([
    listenerResource(gateway.listenerName ?? "http", gateway.listenerPort, routeConfigName),
    routeConfigResource(routeConfigName, gateway.routes),
    ...gateway.clusters.flatMap((cluster) => [clusterResource(cluster.name), endpointsResource(cluster.name, cluster.port)]),
    ...(gateway.extra ?? []),
  ]);
}

/** `count` routes /r0 … /r{count-1} to one cluster: a large route table for benchmarks. */
export function manyRoutes(count: number, cluster: string): TestRoute[] {
  return Array.from({ length: count }, (_, index) => ({ path: `/r${index}`, cluster }));
}
