/**
 * What SotW and Delta streams share: identifying the node and its gateway, watching that gateway's
 * snapshots, nonces, ACK/NACK accounting (status, metrics, push-to-ACK latency) and clean-up.
 */
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { Node } from "../../generated/envoy/config/core/v3/base_pb.js";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL } from "../envoy/type-urls.ts";
import type { Snapshot } from "../xds/snapshot.ts";
import type { Logger } from "./log.ts";
import type { ControlPlaneMetrics, StreamMode } from "./metrics.ts";
import type { NodeStatusRegistry } from "./node-status.ts";
import { isReferencing, shortType } from "./resource-types.ts";
import { transitionalSnapshot, type SnapshotCache } from "./snapshot-cache.ts";

/** Why this stream may not fetch a gateway (e.g. its certificate is bound to others), or undefined. */
export type AuthorizeGateway = (gateway: string) => string | undefined;

/** The gRPC status a refused stream ends with. */
export interface Refusal {
  readonly code: GrpcStatus;
  readonly details: string;
}

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
  /** The resources the response carried. */
  readonly names?: readonly string[];
}

/**
 * How long listeners and routes wait for new clusters to warm. A node that never asks for their
 * endpoints (a DNS cluster, a client that does not use EDS) must not block its updates for good.
 */
const WARMING_TIMEOUT_MS = 2000;

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
  /**
   * What this stream serves: the gateway's snapshot, or while `#inTransition` a transitional one
   * that still holds what the new snapshot removed (see transitionalSnapshot): removals wait until
   * the node has ACKed the listeners and routes that stopped referencing them (make-before-break).
   */
  #serving: Snapshot | undefined;
  #inTransition = false;
  /** Referencing types (LDS, RDS) sent during the transition and not ACKed yet. */
  readonly #awaitingAck = new Set<string>();
  /**
   * Endpoints (ClusterLoadAssignment names) new in the served snapshot that this node has not
   * ACKed yet. While any remain, listeners and routes are held: a route to a cluster still waiting
   * for its endpoints answers 503. Envoy asks for a new cluster's endpoints only once it has the
   * cluster, so "nothing in flight" does not mean warm; only the ACK of those names does.
   */
  readonly #warming = new Set<string>();
  #warmingTimer: NodeJS.Timeout | undefined;
  #closed = false;
  protected readonly ctx: AdsContext;
  readonly mode: StreamMode;
  readonly #sink: ResponseSink;
  readonly #peer: string;

  readonly #authorize: AuthorizeGateway | undefined;
  /** Set when the stream is refused: `handle` then returns false and the server ends the call with it. */
  refusal: Refusal | undefined;

  constructor(ctx: AdsContext, mode: StreamMode, sink: ResponseSink, peer: string, authorize?: AuthorizeGateway) {
    this.ctx = ctx;
    this.mode = mode;
    this.#sink = sink;
    this.#peer = peer;
    this.#authorize = authorize;
    ctx.metrics.streams.inc({ mode });
  }

  /** Called for every change of this node's gateway snapshot. */
  protected abstract onSnapshot(snapshot: Snapshot): void;

  /**
   * Binds the stream to a gateway by `node.cluster` on the first request. Returns false (with
   * `refusal` set) when the stream cannot be served: no node on the first message, or a peer that
   * may not fetch that gateway.
   */
  protected identify(node: Node | undefined): boolean {
    if (this.#unwatch) return true;
    if (!node?.id && !node?.cluster) {
      this.ctx.log.warn("ADS stream sent no node on its first request; closing it", { peer: this.#peer, mode: this.mode });
      this.refusal = { code: GrpcStatus.INVALID_ARGUMENT, details: "the first request on an ADS stream must carry a node" };
      return false;
    }
    const denied = this.#authorize?.(node.cluster);
    if (denied) {
      this.ctx.log.warn("refused an xDS stream: its client certificate is bound to other gateways", { peer: this.#peer, gateway: node.cluster, reason: denied });
      this.refusal = { code: GrpcStatus.PERMISSION_DENIED, details: `xDS access denied: ${denied}` };
      return false;
    }
    this.nodeId = node.id || `${this.#peer}`;
    this.gateway = node.cluster;
    this.#serving = this.ctx.cache.getSnapshot(this.gateway);
    this.#unwatch = this.ctx.cache.watch(this.gateway, (snapshot) => this.#onGatewaySnapshot(snapshot));
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
    return this.#serving;
  }

  #onGatewaySnapshot(next: Snapshot): void {
    const previous = this.#serving;
    this.#serving = previous ? transitionalSnapshot(previous, next) : next;
    this.#inTransition = this.#serving !== next;
    if (this.#inTransition) {
      // A listener or route response still unanswered may carry references to what is removed.
      for (const typeUrl of this.#inFlight.keys()) if (isReferencing(typeUrl)) this.#awaitingAck.add(typeUrl);
    } else {
      this.#awaitingAck.clear();
    }
    if (previous) this.#startWarming(previous, this.#serving);
    this.onSnapshot(this.#serving);
    this.#completeTransition();
  }

  /**
   * Once the node has ACKed every listener and route response of the transition (at once when it
   * was sent none, e.g. it subscribes to neither), serves the final snapshot: the removals go out.
   * A NACK keeps the removed resources, since the node still runs its older routes.
   */
  #completeTransition(): void {
    if (!this.#inTransition || this.#awaitingAck.size > 0 || this.#warming.size > 0) return;
    this.#inTransition = false;
    this.#serving = this.ctx.cache.getSnapshot(this.gateway);
    if (this.#serving) this.onSnapshot(this.#serving);
  }

  /** Only endpoints the node takes by EDS can warm; names dropped since no longer hold anything. */
  #startWarming(previous: Snapshot, serving: Snapshot): void {
    const before = previous.resources.get(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    const now = serving.resources.get(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    for (const name of this.#warming) if (!now?.has(name)) this.#warming.delete(name);
    if (this.#subscribedTypes.has(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL)) {
      for (const name of now?.keys() ?? []) if (!before?.has(name)) this.#warming.add(name);
    }
    if (this.#warming.size === 0) {
      clearTimeout(this.#warmingTimer);
      this.#warmingTimer = undefined;
    } else {
      this.#warmingTimer ??= setTimeout(() => {
        this.ctx.log.warn("node did not ACK endpoints of new clusters in time; pushing listeners and routes anyway", {
          node: this.nodeId,
          gateway: this.gateway,
          clusters: [...this.#warming].sort(),
          timeoutMs: WARMING_TIMEOUT_MS,
        });
        this.#warmed();
      }, WARMING_TIMEOUT_MS).unref();
    }
  }

  /** Releases the listeners and routes held while new clusters warmed. */
  #warmed(): void {
    clearTimeout(this.#warmingTimer);
    this.#warmingTimer = undefined;
    this.#warming.clear();
    if (this.#serving) this.onSnapshot(this.#serving);
    this.#completeTransition();
  }

  /** Whether a response of this type must wait: listeners and routes, while new clusters warm. */
  protected isHeld(typeUrl: string): boolean {
    return this.#warming.size > 0 && isReferencing(typeUrl);
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
    if (this.#awaitingAck.delete(typeUrl)) this.#completeTransition();
    if (typeUrl === CLUSTER_LOAD_ASSIGNMENT_TYPE_URL && this.#warming.size > 0) {
      for (const name of inFlight.names ?? []) this.#warming.delete(name);
      if (this.#warming.size === 0) this.#warmed();
    }
    return "ack";
  }

  /**
   * Sends a response built by `encode(nonce)` and remembers it as in flight; `names` are the
   * resources it carries, whose ACK tells which new clusters are warm (see #warming).
   */
  protected send(typeUrl: string, version: string, encode: (nonce: string) => Buffer, names?: readonly string[]): void {
    if (this.#closed) return;
    const nonce = (++this.#nonceCounter).toString(36);
    this.#latestNonce.set(typeUrl, nonce);
    this.#inFlight.set(typeUrl, { nonce, version, sentAt: process.hrtime.bigint(), ...(names ? { names } : {}) });
    if (this.#inTransition && isReferencing(typeUrl)) this.#awaitingAck.add(typeUrl);
    this.ctx.metrics.pushes.inc({ type: shortType(typeUrl), mode: this.mode });
    this.#sink.write(encode(nonce));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#warmingTimer);
    this.#unwatch?.();
    if (this.nodeId) this.ctx.status.disconnected(this, this.nodeId);
    this.ctx.metrics.streams.dec({ mode: this.mode });
    for (const typeUrl of this.#subscribedTypes) this.ctx.metrics.subscriptions.dec({ type: shortType(typeUrl), mode: this.mode });
  }
}
