import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ClusterLoadAssignmentSchema } from "../../generated/envoy/config/endpoint/v3/endpoint_pb.js";
import { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { SecretSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/secret_pb.js";
import { GenerationCache } from "../model/generation-cache.ts";
import type { ClusterIR, GatewayIR } from "../model/ir.ts";
import { aiChainClusters } from "./ai-chain-cluster.ts";
import { aiProcessorClusters } from "./ai-processor-cluster.ts";
import { auditReceiverClusters } from "./access-log.ts";
import { cluster } from "./cluster.ts";
import { federatedServerClusters, mcpServerCredentialFilter } from "./mcp-server-credential.ts";
import { rateLimitServiceClusters } from "./ratelimit-cluster.ts";
import { loadAssignment } from "./endpoints.ts";
import { contentKey } from "./content-key.ts";
import { listener } from "./listener.ts";
import { withExtensionCache } from "./proto.ts";
import { listenerRouteResources, newRouteCache, type RouteCache } from "./route-configuration.ts";
import { secret } from "./secret.ts";
import { buildSnapshot, makeResource, type Snapshot, type XdsResource } from "./snapshot.ts";

/** Per-item work kept between compiles of the same gateway (see TranslateCache). */
export interface TranslateState {
  readonly routes: RouteCache;
  /** Encoded listeners by the content of what they were made from: a route edit rarely changes one. */
  readonly listeners: GenerationCache<XdsResource>;
  /** Encoded service clusters, and their endpoints, by the content of their IR: a recompile encodes the changed ones. */
  readonly clusters: GenerationCache<XdsResource>;
  readonly loadAssignments: GenerationCache<XdsResource>;
  /** Extension configs shared per content (proto.ts `typedExtension`). */
  readonly extensions: GenerationCache<Any>;
  /** The last snapshot made with this state: the types a recompile left alone are taken from it. */
  last?: Snapshot;
}

export function newTranslateState(): TranslateState {
  return { routes: newRouteCache(), listeners: new GenerationCache(), clusters: new GenerationCache(), loadAssignments: new GenerationCache(), extensions: new GenerationCache() };
}

/** Every resource kind is produced the same way: IR in, resources of one type out. */
export interface ResourceTranslator {
  readonly kind: string;
  translate(ir: GatewayIR, state: TranslateState): XdsResource[];
}

function resource<Desc extends DescMessage>(schema: Desc, name: string, init: MessageInitShape<Desc>): XdsResource {
  return makeResource(schema, name, create(schema, init));
}

function resources<Desc extends DescMessage>(schema: Desc, items: readonly { name: string; init: MessageInitShape<Desc> }[]): XdsResource[] {
  return items.map((item) => resource(schema, item.name, item.init));
}

/** A cluster's resource made from its IR alone, once per content across compiles. */
function byClusterContent(cache: GenerationCache<XdsResource>, cluster: ClusterIR, make: () => XdsResource): XdsResource {
  return cache.get(JSON.stringify(cluster), make);
}

/** The providers' clusters; a federated MCP server's carries the processor that sets its credential (made each time: it reads more than the cluster). */
function serviceClusters(ir: GatewayIR, cache: GenerationCache<XdsResource>): XdsResource[] {
  cache.nextGeneration();
  const federated = federatedServerClusters(ir);
  return ir.clusters.map((c) =>
    federated.has(c.name) ? resource(ClusterSchema, c.name, cluster(c, [mcpServerCredentialFilter(ir)])) : byClusterContent(cache, c, () => resource(ClusterSchema, c.name, cluster(c))),
  );
}

function loadAssignments(ir: GatewayIR, cache: GenerationCache<XdsResource>): XdsResource[] {
  cache.nextGeneration();
  return ir.clusters.filter((c) => c.discovery === "eds").map((c) => byClusterContent(cache, c, () => resource(ClusterLoadAssignmentSchema, c.name, loadAssignment(c))));
}

export const RESOURCE_TRANSLATORS: readonly ResourceTranslator[] = [
  {
    kind: "Listener",
    translate: (ir, state) => {
      state.listeners.nextGeneration();
      return ir.listeners.map((l) => {
        const init = listener(ir, l);
        return state.listeners.get(contentKey(init), () => resource(ListenerSchema, l.name, init));
      });
    },
  },
  {
    kind: "RouteConfiguration",
    translate: (ir, state) => {
      state.routes.tables.nextGeneration();
      state.routes.scopes.nextGeneration();
      return ir.listeners.flatMap((l) => listenerRouteResources(ir, l, state.routes));
    },
  },
  { kind: "Cluster", translate: (ir, state) => serviceClusters(ir, state.clusters) },
  { kind: "Cluster", translate: (ir) => resources(ClusterSchema, aiProcessorClusters(ir)) },
  { kind: "Cluster", translate: (ir) => resources(ClusterSchema, aiChainClusters(ir)) },
  { kind: "Cluster", translate: (ir) => resources(ClusterSchema, auditReceiverClusters(ir)) },
  { kind: "Cluster", translate: (ir) => resources(ClusterSchema, rateLimitServiceClusters(ir)) },
  { kind: "ClusterLoadAssignment", translate: (ir, state) => loadAssignments(ir, state.loadAssignments) },
  { kind: "Secret", translate: (ir) => resources(SecretSchema, ir.secrets.map((s) => ({ name: s.name, init: secret(s) }))) },
];

/** IR → the snapshot of Envoy resources for ADS. Pass the same state to later compiles to reuse work. */
export function translate(ir: GatewayIR, state: TranslateState = newTranslateState()): Snapshot {
  const resources = withExtensionCache(state.extensions, () => RESOURCE_TRANSLATORS.flatMap((translator) => translator.translate(ir, state)));
  return (state.last = buildSnapshot(resources, state.last));
}
