/** What each connected (or recently connected) Envoy has: the versions it ACKed and its last NACK. */
import type { StreamMode } from "./metrics.ts";
import { shortType } from "./resource-types.ts";

export interface NackRecord {
  readonly type: string;
  readonly version: string;
  readonly message: string;
  readonly at: string;
}

export interface NodeStatus {
  readonly nodeId: string;
  readonly gateway: string;
  readonly mode: StreamMode;
  readonly connected: boolean;
  readonly peer: string;
  /** Short type name (e.g. "Cluster") → the version the node ACKed last. */
  readonly acked: Record<string, string>;
  readonly lastNack?: NackRecord;
}

interface MutableNodeStatus {
  nodeId: string;
  gateway: string;
  mode: StreamMode;
  connected: boolean;
  peer: string;
  acked: Record<string, string>;
  lastNack?: NackRecord;
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

  nacked(stream: object, nodeId: string, typeUrl: string, version: string, message: string): void {
    const entry = this.#current(stream, nodeId);
    if (entry) entry.lastNack = { type: shortType(typeUrl), version, message, at: new Date().toISOString() };
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
