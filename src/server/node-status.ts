/** What each connected (or recently connected) Envoy has: the versions it ACKed and its last NACK. */
import type { SourceLocation } from "../config/diagnostics.ts";
import type { StreamMode } from "./metrics.ts";
import { shortType } from "./resource-types.ts";

/** A resource Envoy rejected and, when the served config says, where the config defines it. */
export interface RejectedResource {
  readonly name: string;
  /** The config path it comes from, e.g. `gateway.listeners.0`. */
  readonly path?: string;
  readonly location?: SourceLocation;
}

export interface NackRecord {
  /** Short type name, e.g. "Listener". */
  readonly type: string;
  /** The version of that type the node rejected. */
  readonly version: string;
  /** The gateway snapshot the node was moving to. */
  readonly snapshot?: string;
  /** The rejected resources, as far as Envoy's message tells (or the only one sent). */
  readonly resources: readonly RejectedResource[];
  /** Envoy's error_detail.message, without the proto dump it may append. */
  readonly message: string;
  readonly at: string;
  /** The snapshot the node was put back on: the last it accepted completely. Absent when it had none. */
  readonly revertedTo?: string;
}

export interface NodeStatus {
  readonly nodeId: string;
  readonly gateway: string;
  readonly mode: StreamMode;
  readonly connected: boolean;
  readonly peer: string;
  /** Short type name (e.g. "Cluster") → the version the node ACKed last. */
  readonly acked: Record<string, string>;
  /** The snapshot this node is being served: its gateway's, or after a NACK the last one it accepted. */
  readonly servingSnapshot?: string;
  readonly lastNack?: NackRecord;
  /** Why this node gets no Secrets (a plaintext xDS stream from another host), when it gets none. */
  readonly secretsWithheld?: string;
}

interface MutableNodeStatus {
  nodeId: string;
  gateway: string;
  mode: StreamMode;
  connected: boolean;
  peer: string;
  acked: Record<string, string>;
  servingSnapshot?: string;
  lastNack?: NackRecord;
  secretsWithheld?: string;
  stream: object;
}

export class NodeStatusRegistry {
  // Keyed by node id: a reconnecting Envoy replaces its old entry instead of adding one.
  readonly #nodes = new Map<string, MutableNodeStatus>();

  /** Registers a stream; `stream` identifies it so a stale stream's disconnect is ignored. */
  connected(stream: object, nodeId: string, gateway: string, mode: StreamMode, peer: string): void {
    const previous = this.#nodes.get(nodeId);
    const entry: MutableNodeStatus = { nodeId, gateway, mode, connected: true, peer, acked: {}, stream };
    if (previous?.lastNack) entry.lastNack = previous.lastNack;
    this.#nodes.set(nodeId, entry);
  }

  disconnected(stream: object, nodeId: string): void {
    const entry = this.#current(stream, nodeId);
    if (entry) entry.connected = false;
  }

  acked(stream: object, nodeId: string, typeUrl: string, version: string): void {
    const entry = this.#current(stream, nodeId);
    if (entry) entry.acked[shortType(typeUrl)] = version;
  }

  nacked(stream: object, nodeId: string, nack: Omit<NackRecord, "at">): void {
    const entry = this.#current(stream, nodeId);
    if (entry) entry.lastNack = { ...nack, at: new Date().toISOString() };
  }

  serving(stream: object, nodeId: string, snapshotVersion: string): void {
    const entry = this.#current(stream, nodeId);
    if (entry) entry.servingSnapshot = snapshotVersion;
  }

  secretsWithheld(stream: object, nodeId: string, reason: string): void {
    const entry = this.#current(stream, nodeId);
    if (entry) entry.secretsWithheld = reason;
  }

  /**
   * The node's entry if `stream` is the one it describes. An older stream of the same node id (a
   * hot-restarting Envoy, a connection not yet seen as dead) may serve another gateway or version.
   */
  #current(stream: object, nodeId: string): MutableNodeStatus | undefined {
    const entry = this.#nodes.get(nodeId);
    return entry?.stream === stream ? entry : undefined;
  }

  /** How many connected nodes ACKed `version` of a type: rollout progress. */
  ackedCount(typeUrl: string, version: string): number {
    const type = shortType(typeUrl);
    let count = 0;
    for (const entry of this.#nodes.values()) if (entry.connected && entry.acked[type] === version) count++;
    return count;
  }

  get(nodeId: string): NodeStatus | undefined {
    const entry = this.#nodes.get(nodeId);
    return entry && publicView(entry);
  }

  list(): NodeStatus[] {
    return [...this.#nodes.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1)).map(publicView);
  }
}

function publicView(entry: MutableNodeStatus): NodeStatus {
  const { stream: _stream, acked, ...rest } = entry;
  return { ...rest, acked: { ...acked } };
}
