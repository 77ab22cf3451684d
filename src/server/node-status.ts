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

/** A step of a rollout on one node: a snapshot offered to it, and its ACK or NACK (per xDS type). */
export interface RolloutEvent {
  readonly time: string;
  readonly node: string;
  readonly gateway: string;
  readonly event: "offered" | "ack" | "nack";
  /** The gateway snapshot offered, or being served when the node answered. */
  readonly snapshot?: string;
  /** Short type name of an ACK or NACK. */
  readonly type?: string;
  /** The version of that type ACKed or NACKed. */
  readonly version?: string;
  /** Envoy's message, for a NACK. */
  readonly message?: string;
}

/** Told every rollout step; must not block (the audit store queues them: write-behind). */
export type RolloutObserver = (event: RolloutEvent) => void;

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
  #observer: RolloutObserver | undefined;

  /** Sets who is told each rollout step (the audit store in `serve` and `up`). */
  observe(observer: RolloutObserver | undefined): void {
    this.#observer = observer;
  }

  #tell(entry: MutableNodeStatus, step: { event: RolloutEvent["event"]; snapshot?: string | undefined; type?: string; version?: string; message?: string }): void {
    if (!this.#observer) return;
    const defined = Object.fromEntries(Object.entries(step).filter(([, value]) => value !== undefined));
    this.#observer({ time: new Date().toISOString(), node: entry.nodeId, gateway: entry.gateway, ...defined } as RolloutEvent);
  }

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
    if (!entry) return;
    const type = shortType(typeUrl);
    if (entry.acked[type] !== version) this.#tell(entry, { event: "ack", snapshot: entry.servingSnapshot, type, version });
    entry.acked[type] = version;
  }

  nacked(stream: object, nodeId: string, nack: Omit<NackRecord, "at">): void {
    const entry = this.#current(stream, nodeId);
    if (!entry) return;
    entry.lastNack = { ...nack, at: new Date().toISOString() };
    this.#tell(entry, { event: "nack", snapshot: nack.snapshot, type: nack.type, version: nack.version, message: nack.message });
  }

  serving(stream: object, nodeId: string, snapshotVersion: string): void {
    const entry = this.#current(stream, nodeId);
    if (!entry) return;
    if (entry.servingSnapshot !== snapshotVersion) this.#tell(entry, { event: "offered", snapshot: snapshotVersion });
    entry.servingSnapshot = snapshotVersion;
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
