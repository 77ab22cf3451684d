/**
 * The generated resources as the verifier reads them: typed messages straight from the snapshot,
 * and each listener's connection managers unpacked from their `typed_config`.
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { type Cluster, ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import type { TransportSocket } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { Filter } from "../../generated/envoy/config/listener/v3/listener_components_pb.js";
import { type Listener, ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { type RouteConfiguration, RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { type ScopedRouteConfiguration, ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { type HttpConnectionManager, HttpConnectionManagerSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { typeUrl } from "../envoy/any.ts";
import { GenerationCache } from "../model/generation-cache.ts";
import type { Snapshot } from "../xds/snapshot.ts";

export const HCM_FILTER = "envoy.filters.network.http_connection_manager";

/** One connection manager of a listener, with where it sits for findings. */
export interface ConnectionManager {
  readonly listener: Listener;
  /** Field path inside the listener, e.g. `filter_chains[0].filters[1]`. */
  readonly at: string;
  readonly hcm: HttpConnectionManager;
  /** The transport socket of its filter chain (downstream TLS), if any. */
  readonly transportSocket?: TransportSocket;
}

export interface GeneratedResources {
  readonly listeners: readonly Listener[];
  readonly routeConfigurations: ReadonlyMap<string, RouteConfiguration>;
  /** Route scopes (SRDS): Envoy hands each to every scoped connection manager; the key picks one. */
  readonly routeScopes: readonly ScopedRouteConfiguration[];
  readonly clusters: readonly Cluster[];
  readonly connectionManagers: readonly ConnectionManager[];
}

function messagesOf<Desc extends DescMessage>(snapshot: Snapshot, schema: Desc): MessageShape<Desc>[] {
  return [...(snapshot.resources.get(typeUrl(schema))?.values() ?? [])].map((resource) => resource.message as MessageShape<Desc>);
}

/** The message an Any holds when it is of this schema; undefined for another type. */
export function unpackAs<Desc extends DescMessage>(any: Any | undefined, schema: Desc): MessageShape<Desc> | undefined {
  return any ? anyUnpack(any, schema) : undefined;
}

/** The typed config of a filter-like extension (`name` + `typed_config`). */
export function typedConfigOf(extension: { readonly configType: { readonly case: string | undefined; readonly value?: unknown } }): Any | undefined {
  return extension.configType.case === "typedConfig" ? (extension.configType.value as Any) : undefined;
}

/** An Any's type and bytes as one string: equal for equal contents, whatever object holds them. */
export function anyContentKey(any: Any): string {
  return `${any.typeUrl}\0${Buffer.from(any.value.buffer, any.value.byteOffset, any.value.byteLength).toString("latin1")}`;
}

/**
 * Connection managers decoded, by content: a recompile builds each listener again, with the same
 * bytes unless a listener-wide setting changed, and decoding one is a fifth of verifying a one-route
 * edit. Nothing in the verifier changes a decoded message. Keeps what the last verification used.
 */
const decodedManagers = new GenerationCache<HttpConnectionManager | null>();

function decodedManager(any: Any | undefined): HttpConnectionManager | undefined {
  if (!any) return undefined;
  return decodedManagers.get(anyContentKey(any), () => unpackAs(any, HttpConnectionManagerSchema) ?? null) ?? undefined;
}

/** The connection managers in a listener's filter chains (its default chain included), unpacked. */
export function connectionManagers(listener: Listener): ConnectionManager[] {
  const chains = [...listener.filterChains.map((chain, i) => ({ chain, at: `filter_chains[${i}]` })), ...(listener.defaultFilterChain ? [{ chain: listener.defaultFilterChain, at: "default_filter_chain" }] : [])];
  return chains.flatMap(({ chain, at }) =>
    chain.filters.flatMap((filter: Filter, i) => {
      const hcm = filter.name === HCM_FILTER ? decodedManager(typedConfigOf(filter)) : undefined;
      return hcm ? [{ listener, at: `${at}.filters[${i}]`, hcm, ...(chain.transportSocket ? { transportSocket: chain.transportSocket } : {}) }] : [];
    }),
  );
}

export function generatedResources(snapshot: Snapshot): GeneratedResources {
  const listeners = messagesOf(snapshot, ListenerSchema);
  decodedManagers.nextGeneration();
  return {
    listeners,
    routeConfigurations: new Map(messagesOf(snapshot, RouteConfigurationSchema).map((config) => [config.name, config])),
    routeScopes: messagesOf(snapshot, ScopedRouteConfigurationSchema),
    clusters: messagesOf(snapshot, ClusterSchema),
    connectionManagers: listeners.flatMap(connectionManagers),
  };
}
