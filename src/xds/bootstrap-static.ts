import { clone, create } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { BootstrapSchema, type Bootstrap } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { Cluster_DiscoveryType, ClusterSchema, type Cluster } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ClusterLoadAssignmentSchema, type ClusterLoadAssignment } from "../../generated/envoy/config/endpoint/v3/endpoint_pb.js";
import { ListenerSchema, type Listener } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import type { RouteConfiguration } from "../../generated/envoy/config/route/v3/route_pb.js";
import { type ScopedRouteConfiguration, ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { HttpConnectionManagerSchema, ScopedRouteConfigurationsListSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { CommonTlsContext } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { DownstreamTlsContextSchema, UpstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { SecretSchema, type Secret } from "../../generated/envoy/extensions/transport_sockets/tls/v3/secret_pb.js";
import { isPacked, pack, unpack } from "../envoy/any.ts";
import * as xds from "../envoy/type-urls.ts";
import { isScopeOf } from "./route-scopes.ts";
import type { Snapshot } from "./snapshot.ts";

function messages<T>(snapshot: Snapshot, typeUrl: string): T[] {
  return [...(snapshot.resources.get(typeUrl)?.values() ?? [])].map((resource) => resource.message as T);
}

/** Secrets named with no config source are looked up in static_resources.secrets. */
function staticSds(context: CommonTlsContext | undefined): void {
  if (!context) return;
  for (const config of context.tlsCertificateSdsSecretConfigs) config.sdsConfig = undefined;
  const validation = context.validationContextType;
  if (validation.case === "validationContextSdsSecretConfig") validation.value.sdsConfig = undefined;
  if (validation.case === "combinedValidationContext" && validation.value.validationContextSdsSecretConfig) {
    validation.value.validationContextSdsSecretConfig.sdsConfig = undefined;
  }
}

function routeConfig(listener: Listener, routes: ReadonlyMap<string, RouteConfiguration>, name: string): RouteConfiguration {
  const config = routes.get(name);
  if (!config) throw new Error(`listener ${listener.name} names route configuration ${name}, which the snapshot does not have`);
  return config;
}

/** The listener's route scopes with their route configurations inline; its scopes are those keyed by its name. */
function inlineScopes(listener: Listener, scopes: readonly ScopedRouteConfiguration[], routes: ReadonlyMap<string, RouteConfiguration>): ScopedRouteConfiguration[] {
  return scopes
    .filter((scope) => isScopeOf(scope, listener.name))
    .map((scope) => create(ScopedRouteConfigurationSchema, { name: scope.name, key: scope.key, routeConfiguration: routeConfig(listener, routes, scope.routeConfigurationName) }));
}

function staticListener(listener: Listener, routes: ReadonlyMap<string, RouteConfiguration>, scopes: readonly ScopedRouteConfiguration[]): Listener {
  const copy = clone(ListenerSchema, listener);
  for (const chain of copy.filterChains) {
    for (const filter of chain.filters) {
      if (filter.configType.case !== "typedConfig" || !isPacked(filter.configType.value, HttpConnectionManagerSchema)) continue;
      const hcm = unpack(filter.configType.value, HttpConnectionManagerSchema);
      const spec = hcm.routeSpecifier;
      if (spec.case === "rds") hcm.routeSpecifier = { case: "routeConfig", value: routeConfig(listener, routes, spec.value.routeConfigName) };
      if (spec.case === "scopedRoutes" && spec.value.configSpecifier.case === "scopedRds") {
        spec.value.configSpecifier = { case: "scopedRouteConfigurationsList", value: create(ScopedRouteConfigurationsListSchema, { scopedRouteConfigurations: inlineScopes(listener, scopes, routes) }) };
      }
      filter.configType = { case: "typedConfig", value: pack(HttpConnectionManagerSchema, hcm) };
    }
    const socket = chain.transportSocket;
    if (socket?.configType.case === "typedConfig") {
      const tls = unpack(socket.configType.value as Any, DownstreamTlsContextSchema);
      staticSds(tls.commonTlsContext);
      socket.configType = { case: "typedConfig", value: pack(DownstreamTlsContextSchema, tls) };
    }
  }
  return copy;
}

function staticCluster(cluster: Cluster, assignments: ReadonlyMap<string, ClusterLoadAssignment>): Cluster {
  const copy = clone(ClusterSchema, cluster);
  if (copy.clusterDiscoveryType.case === "type" && copy.clusterDiscoveryType.value === Cluster_DiscoveryType.EDS) {
    copy.clusterDiscoveryType = { case: "type", value: Cluster_DiscoveryType.STATIC };
    copy.edsClusterConfig = undefined;
    const assignment = assignments.get(cluster.name);
    copy.loadAssignment = assignment ? clone(ClusterLoadAssignmentSchema, assignment) : create(ClusterLoadAssignmentSchema, { clusterName: cluster.name });
  }
  const socket = copy.transportSocket;
  if (socket?.configType.case === "typedConfig") {
    const tls = unpack(socket.configType.value, UpstreamTlsContextSchema);
    staticSds(tls.commonTlsContext);
    socket.configType = { case: "typedConfig", value: pack(UpstreamTlsContextSchema, tls) };
  }
  return copy;
}

/**
 * An Envoy bootstrap that embeds a snapshot as static resources — RDS becomes an inline route
 * config, SRDS inline scopes with their route configs, EDS an inline load assignment, SDS static secrets — with the admin interface on
 * 127.0.0.1 only. Used by `portcullis validate` (envoy --mode validate) and end-to-end tests.
 */
export function buildStaticBootstrap(snapshot: Snapshot): Bootstrap {
  const routes = new Map(messages<RouteConfiguration>(snapshot, xds.ROUTE_CONFIGURATION_TYPE_URL).map((rc) => [rc.name, rc]));
  const scopes = messages<ScopedRouteConfiguration>(snapshot, xds.SCOPED_ROUTE_CONFIGURATION_TYPE_URL);
  const assignments = new Map(messages<ClusterLoadAssignment>(snapshot, xds.CLUSTER_LOAD_ASSIGNMENT_TYPE_URL).map((cla) => [cla.clusterName, cla]));
  return create(BootstrapSchema, {
    node: { id: "portcullis-static", cluster: "portcullis" },
    // Admin on 127.0.0.1 only, on a port the OS picks: validation and tests never need a fixed one.
    admin: { address: { address: { case: "socketAddress", value: { address: "127.0.0.1", portSpecifier: { case: "portValue", value: 0 } } } } },
    staticResources: {
      listeners: messages<Listener>(snapshot, xds.LISTENER_TYPE_URL).map((listener) => staticListener(listener, routes, scopes)),
      clusters: messages<Cluster>(snapshot, xds.CLUSTER_TYPE_URL).map((cluster) => staticCluster(cluster, assignments)),
      secrets: messages<Secret>(snapshot, xds.SECRET_TYPE_URL).map((secret) => clone(SecretSchema, secret)),
    },
  });
}
