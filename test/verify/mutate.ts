/**
 * Mutations of a compiled snapshot, as a compiler bug would make them: each helper clones the
 * resource it changes (the original snapshot stays intact), re-encodes it and rebuilds the snapshot.
 */
import type { Any } from "@bufbuild/protobuf/wkt";
import { clone, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { type Cluster, ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { type Listener, ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import type { Route } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { type HttpConnectionManager, HttpConnectionManagerSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { typeUrl, unpack } from "../../src/envoy/any.ts";
import { buildSnapshot, makeResource, type Snapshot } from "../../src/xds/snapshot.ts";
import { packed } from "../../src/xds/proto.ts";

const HCM = "envoy.filters.network.http_connection_manager";

/** The snapshot with one resource replaced by a mutated copy (or added, when `name` is new and `make` is given). */
export function withResource<Desc extends DescMessage>(snapshot: Snapshot, schema: Desc, name: string, mutate: (message: MessageShape<Desc>) => void): Snapshot {
  const url = typeUrl(schema);
  const original = snapshot.resources.get(url)?.get(name);
  if (!original) throw new Error(`no ${url} named ${name} in the snapshot`);
  const message = clone(schema, original.message as MessageShape<Desc>);
  mutate(message);
  const others = [...snapshot.resources.values()].flatMap((named) => [...named.values()]).filter((r) => !(r.typeUrl === url && r.name === name));
  return buildSnapshot([...others, makeResource(schema, name, message)]);
}

/** The snapshot with one more resource. */
export function withAdded<Desc extends DescMessage>(snapshot: Snapshot, schema: Desc, name: string, message: MessageShape<Desc>): Snapshot {
  return buildSnapshot([...[...snapshot.resources.values()].flatMap((named) => [...named.values()]), makeResource(schema, name, message)]);
}

export function withListener(snapshot: Snapshot, name: string, mutate: (listener: Listener) => void): Snapshot {
  return withResource(snapshot, ListenerSchema, name, mutate);
}

export function withCluster(snapshot: Snapshot, name: string, mutate: (cluster: Cluster) => void): Snapshot {
  return withResource(snapshot, ClusterSchema, name, mutate);
}

/** Mutates the connection manager of a listener's first filter chain. */
export function withHcm(snapshot: Snapshot, listener: string, mutate: (hcm: HttpConnectionManager) => void): Snapshot {
  return withListener(snapshot, listener, (message) => {
    const filter = message.filterChains[0]!.filters.find((f) => f.name === HCM)!;
    const hcm = unpack(filter.configType.value as Any, HttpConnectionManagerSchema);
    mutate(hcm);
    filter.configType = { case: "typedConfig", value: packed(HttpConnectionManagerSchema, hcm) };
  });
}

/** Mutates one route (by name) in every virtual host of a route configuration. */
export function withRoute(snapshot: Snapshot, config: string, route: string, mutate: (route: Route) => void): Snapshot {
  return withResource(snapshot, RouteConfigurationSchema, config, (message) => {
    const found = message.virtualHosts.flatMap((host) => host.routes.filter((r) => r.name === route));
    if (found.length === 0) throw new Error(`no route ${route} in ${config}`);
    found.forEach(mutate);
  });
}
