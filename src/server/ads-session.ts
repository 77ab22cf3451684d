/**
 * What SotW and Delta streams share: identifying the node and its gateway, watching that gateway's
 * snapshots, nonces, ACK/NACK accounting (status, metrics, push-to-ACK latency) and clean-up.
 */
import type { Node } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { Snapshot } from "../xds/snapshot.ts";
import type { Logger } from "./log.ts";
import type { ControlPlaneMetrics, StreamMode } from "./metrics.ts";
import type { NodeStatusRegistry } from "./node-status.ts";
import { shortType } from "./resource-types.ts";
import type { SnapshotCache } from "./snapshot-cache.ts";

export interface AdsContext {
  readonly cache: SnapshotCache;
  readonly status: NodeStatusRegistry;
  readonly metrics: ControlPlaneMetrics;
  readonly log: Logger;
}

export interface ResponseSink {
  write(bytes: Buffer): unknown;
}

interface InFlight {
  readonly nonce: string;
  readonly version: string;
  readonly sentAt: bigint;
}

export type AckOutcome = "ack" | "nack" | "stale" | "none";

export abstract class AdsSession {
  protected nodeId = "";
  protected gateway = "";
  #unwatch: (() => void) | undefined;
  #nonceCounter = 0;
  /** Type → the nonce of the latest response sent: only a request echoing it is current. */
  readonly #latestNonce = new Map<string, string>();
  /** Type → the latest response while it awaits its ACK or NACK. */
  readonly #inFlight = new Map<string, InFlight>();
  readonly #subscribedTypes = new Set<string>();
  #closed = false;
  protected readonly ctx: AdsContext;
  readonly mode: StreamMode;
  readonly #sink: ResponseSink;
  readonly #peer: string;

  constructor(ctx: AdsContext, mode: StreamMode, sink: ResponseSink, peer: string) {
    this.ctx = ctx;
    this.mode = mode;
    this.#sink = sink;
    this.#peer = peer;
    ctx.metrics.streams.inc({ mode });
  }

  /** Called for every change of this node's gateway snapshot. */
  protected abstract onSnapshot(snapshot: Snapshot): void;

  /**
   * Binds the stream to a gateway by `node.cluster` on the first request. Returns false when the
   * stream cannot be served at all (no node on the first message).
   */
  protected identify(node: Node | undefined): boolean {
    if (this.#unwatch) return true;
    if (!node?.id && !node?.cluster) {
      this.ctx.log.warn("ADS stream sent no node on its first request; closing it", { peer: this.#peer, mode: this.mode });
      return false;
    }
    this.nodeId = node.id || `${this.#peer}`;
    this.gateway = node.cluster;
    this.#unwatch = this.ctx.cache.watch(this.gateway, (snapshot) => this.onSnapshot(snapshot));
    this.ctx.status.connected(this, this.nodeId, this.gateway, this.mode, this.#peer);
    if (!this.ctx.cache.getSnapshot(this.gateway)) {
      this.ctx.log.warn("node asks for a gateway this control plane does not serve; sending nothing until a config with that name is loaded", {
        node: this.nodeId,
        cluster: this.gateway,
        served: this.ctx.cache.gateways(),
        hint: "set node.cluster (portcullis bootstrap --cluster) to the config's gateway name",
      });
    } else {
      this.ctx.log.info("node connected", { node: this.nodeId, gateway: this.gateway, mode: this.mode, peer: this.#peer });
    }
    return true;
  }

  protected snapshot(): Snapshot | undefined {
    return this.ctx.cache.getSnapshot(this.gateway);
  }

  protected noteSubscribed(typeUrl: string): void {
    if (this.#subscribedTypes.has(typeUrl)) return;
    this.#subscribedTypes.add(typeUrl);
    this.ctx.metrics.subscriptions.inc({ type: shortType(typeUrl), mode: this.mode });
  }

  /** Matches a request's nonce against the last response of its type and records ACK or NACK. */
  protected settle(typeUrl: string, responseNonce: string, errorMessage: string | undefined, ackedVersion: string): AckOutcome {
    const latest = this.#latestNonce.get(typeUrl);
    // No response of this type on this stream yet: a nonce can only come from an earlier stream.
    if (!responseNonce || latest === undefined) return "none";
    // A nonce other than the latest answers a response that a newer one superseded: ignore it.
    if (responseNonce !== latest) return "stale";
    const inFlight = this.#inFlight.get(typeUrl);
    // The latest response was already ACKed or NACKed: this request only changes the subscription.
    if (!inFlight) return "none";
    this.#inFlight.delete(typeUrl);
    const labels = { type: shortType(typeUrl), mode: this.mode };
    this.ctx.metrics.pushToAck.observe(labels, Number(process.hrtime.bigint() - inFlight.sentAt) / 1e9);
    if (errorMessage !== undefined) {
      this.ctx.metrics.nacks.inc(labels);
      this.ctx.status.nacked(this, this.nodeId, typeUrl, inFlight.version, errorMessage);
      this.ctx.log.warn("node rejected a config (NACK); it keeps its last accepted one", {
        node: this.nodeId,
        gateway: this.gateway,
        type: labels.type,
        version: inFlight.version,
        error: errorMessage,
      });
      return "nack";
    }
    this.ctx.metrics.acks.inc(labels);
    this.ctx.status.acked(this, this.nodeId, typeUrl, ackedVersion || inFlight.version);
    return "ack";
  }

  /** Sends a response built by `encode(nonce)` and remembers it as in flight. */
  protected send(typeUrl: string, version: string, encode: (nonce: string) => Buffer): void {
    if (this.#closed) return;
    const nonce = (++this.#nonceCounter).toString(36);
    this.#latestNonce.set(typeUrl, nonce);
    this.#inFlight.set(typeUrl, { nonce, version, sentAt: process.hrtime.bigint() });
    this.ctx.metrics.pushes.inc({ type: shortType(typeUrl), mode: this.mode });
    this.#sink.write(encode(nonce));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch?.();
    if (this.nodeId) this.ctx.status.disconnected(this, this.nodeId);
    this.ctx.metrics.streams.dec({ mode: this.mode });
    for (const typeUrl of this.#subscribedTypes) this.ctx.metrics.subscriptions.dec({ type: shortType(typeUrl), mode: this.mode });
  }
}
