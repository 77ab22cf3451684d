/**
 * What SotW and Delta streams share: identifying the node and its gateway, watching that gateway's
 * snapshots, nonces, back-pressure, ACK/NACK accounting (status, metrics, push-to-ACK latency) and clean-up.
 *
 * A snapshot is never left applied in part. Envoy applies each xDS type on its own: a rejected
 * listener edit would leave the new routes of the same snapshot (RDS, accepted) served on the old
 * listener. So (1) route configs wait until the node has answered the listeners sent before them,
 * and (2) a NACK of any type reverts the node to the last snapshot it accepted completely, until
 * the gateway's snapshot changes; /status shows the rejected snapshot, resource, Envoy's reason
 * and config location. Reverting (rather than holding each type until the one before is ACKed)
 * keeps pushes fast and also undoes what Envoy took within a rejected type (it applies the valid
 * listeners or clusters of a response and NACKs the rest). With nothing accepted on this stream
 * there is nothing to revert to: a node that reconnected with a config keeps its routes (held
 * ones stay held); a new node gets the rest of the snapshot, its best option.
 */
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { Node } from "../../generated/envoy/config/core/v3/base_pb.js";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL, SCOPED_ROUTE_CONFIGURATION_TYPE_URL, SECRET_TYPE_URL } from "../envoy/type-urls.ts";
import type { Snapshot } from "../xds/snapshot.ts";
import { EndpointWarming, WARMING_TIMEOUT_MS } from "./endpoint-warming.ts";
import type { Logger } from "./log.ts";
import type { ControlPlaneMetrics, StreamMode } from "./metrics.ts";
import { describeNack, nackLogFields } from "./nack-detail.ts";
import type { NodeStatusRegistry } from "./node-status.ts";
import type { ResourceOrigin } from "./resource-origins.ts";
import { NodeRollback } from "./node-rollback.ts";
import { isReferencing, shortType } from "./resource-types.ts";
import { transitionalSnapshot, type SnapshotCache } from "./snapshot-cache.ts";
import { StreamBackPressure } from "./stream-back-pressure.ts";
import type { FramedResponse } from "./wire.ts";

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
  /** Where the config of a gateway defines one of its resources, for NACKs on /status. */
  readonly origin?: (gateway: string, typeUrl: string, name: string) => ResourceOrigin | undefined;
}

/** Where a session's responses go: the gRPC stream. */
export interface ResponseSink {
  /** Writes a response; `written` runs once the transport has taken it (HTTP/2 flow control permitting). */
  write(response: FramedResponse, written: () => void): void;
}

export interface SessionOptions {
  readonly peer: string;
  readonly authorize?: AuthorizeGateway;
  /** Why this stream gets no Secrets (a plaintext stream from another host); see ads-server.ts. */
  readonly withholdSecrets?: string;
}

interface InFlight {
  readonly nonce: string;
  readonly version: string;
  readonly sentAt: bigint;
  /** The resources the response carried. */
  readonly names?: readonly string[];
}

export type AckOutcome = "ack" | "nack" | "stale" | "none";

export abstract class AdsSession {
  protected nodeId = "";
  protected gateway = "";
  #unwatch: (() => void) | undefined;
  /** Type → the nonce of the latest response sent: only a request echoing it is current. */
  readonly #latestNonce = new Map<string, number>();
  /** Type → the latest response while it awaits its ACK or NACK. */
  readonly #inFlight = new Map<string, InFlight>();
  readonly #subscribedTypes = new Set<string>();
  /**
   * What this stream serves: the gateway's snapshot (or after a NACK the last one the node
   * accepted, see NodeRollback), or while `#inTransition` a
   * transitional one that still holds what the target removed (see transitionalSnapshot): removals
   * wait until the node has ACKed the listeners and routes that stopped referencing them.
   */
  #serving: Snapshot | undefined;
  #inTransition = false;
  /** Referencing types (LDS, RDS) sent during the transition and not ACKed yet. */
  readonly #awaitingAck = new Set<string>();
  readonly #warming = new EndpointWarming((clusters) => {
    this.ctx.log.warn("node did not ACK endpoints of new clusters in time; pushing listeners and routes anyway", { node: this.nodeId, gateway: this.gateway, clusters, timeoutMs: WARMING_TIMEOUT_MS });
    this.#warmed();
  });
  /** Types whose response was held (see isHeld): sent once what held them is answered. */
  readonly #held = new Set<string>();
  readonly #rollback = new NodeRollback();
  readonly #pressure: StreamBackPressure;
  #closed = false;
  protected readonly ctx: AdsContext;
  readonly mode: StreamMode;
  readonly #sink: ResponseSink;
  readonly #options: SessionOptions;
  #secretsWithheldNoted = false;
  /** The node said it runs a config from an earlier stream (a reconnect): see #reject. */
  #ranConfigBefore = false;
  /** Set when the stream is refused: `handle` then returns false and the server ends the call with it. */
  refusal: Refusal | undefined;

  constructor(ctx: AdsContext, mode: StreamMode, sink: ResponseSink, options: SessionOptions) {
    this.ctx = ctx;
    this.mode = mode;
    this.#sink = sink;
    this.#options = options;
    this.#pressure = new StreamBackPressure(ctx.metrics, mode);
    ctx.metrics.streams.inc({ mode });
  }

  /** Called for every change of what this node is served. */
  protected abstract onSnapshot(snapshot: Snapshot): void;

  /**
   * Binds the stream to a gateway by `node.cluster` on the first request. Returns false (with
   * `refusal` set) when the stream cannot be served: no node on the first message, or a peer that
   * may not fetch that gateway.
   */
  protected identify(node: Node | undefined): boolean {
    if (this.#unwatch) return true;
    const peer = this.#options.peer;
    if (!node?.id && !node?.cluster) {
      this.ctx.log.warn("ADS stream sent no node on its first request; closing it", { peer, mode: this.mode });
      this.refusal = { code: GrpcStatus.INVALID_ARGUMENT, details: "the first request on an ADS stream must carry a node" };
      return false;
    }
    const denied = this.#options.authorize?.(node.cluster);
    if (denied) {
      this.ctx.log.warn("refused an xDS stream: its client certificate is bound to other gateways", { peer, gateway: node.cluster, reason: denied });
      this.refusal = { code: GrpcStatus.PERMISSION_DENIED, details: `xDS access denied: ${denied}` };
      return false;
    }
    this.nodeId = node.id || `${peer}`;
    this.gateway = node.cluster;
    this.#serving = this.ctx.cache.getSnapshot(this.gateway);
    this.#unwatch = this.ctx.cache.watch(this.gateway, (snapshot) => this.#onGatewaySnapshot(snapshot));
    this.ctx.status.connected(this, this.nodeId, this.gateway, this.mode, peer);
    if (this.#serving) this.ctx.status.serving(this, this.nodeId, this.#serving.version);
    if (!this.#serving) {
      this.ctx.log.warn("node asks for a gateway this control plane does not serve; sending nothing until a config with that name is loaded", {
        node: this.nodeId,
        cluster: this.gateway,
        served: this.ctx.cache.gateways(),
        hint: "set node.cluster (portcullis bootstrap --cluster) to the config's gateway name",
      });
    } else {
      this.ctx.log.info("node connected", { node: this.nodeId, gateway: this.gateway, mode: this.mode, peer });
    }
    return true;
  }

  protected snapshot(): Snapshot | undefined {
    return this.#serving;
  }

  #onGatewaySnapshot(next: Snapshot): void {
    this.#rollback.gatewayChanged();
    this.#moveTo(next);
  }

  /** Starts serving `next`, make-before-break from what is served now. */
  #moveTo(next: Snapshot): void {
    const previous = this.#serving;
    this.#serving = previous ? transitionalSnapshot(previous, next) : next;
    this.#rollback.servingChanged();
    this.ctx.status.serving(this, this.nodeId, next.version);
    this.#inTransition = this.#serving !== next;
    if (this.#inTransition) {
      // A listener or route response still unanswered may carry references to what is removed.
      for (const typeUrl of this.#inFlight.keys()) if (isReferencing(typeUrl)) this.#awaitingAck.add(typeUrl);
    } else {
      this.#awaitingAck.clear();
    }
    if (previous) this.#warming.start(previous, this.#serving, this.#subscribedTypes.has(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL));
    this.#held.clear();
    this.onSnapshot(this.#serving);
    this.#completeTransition();
    this.#noteAccepted(); // when nothing had to be sent
  }

  /**
   * Once the node has ACKed every listener and route response of the transition (at once when it
   * was sent none, e.g. it subscribes to neither), serves the target snapshot: the removals go out.
   * A NACK reverts the node before that (see #reject).
   */
  #completeTransition(): void {
    if (!this.#inTransition || this.#awaitingAck.size > 0 || this.#warming.warming) return;
    this.#inTransition = false;
    this.#serving = this.#rollback.target(this.ctx.cache.getSnapshot(this.gateway));
    if (this.#serving) this.onSnapshot(this.#serving);
  }

  /** Releases the listeners and routes held while new clusters warmed. */
  #warmed(): void {
    this.#warming.clear();
    this.#release();
    this.#completeTransition();
  }

  /** Sends what was held, if what held it is gone (isHeld decides again). */
  #release(): void {
    if (this.#held.size === 0 || !this.#serving) return;
    this.#held.clear();
    this.onSnapshot(this.#serving);
  }

  /**
   * Whether a response of this type must wait: listeners, scopes and routes while new clusters
   * warm, and scopes and routes while the node has not answered the listeners sent before them (so
   * the routes of a snapshot whose listeners it rejects are never applied).
   */
  protected isHeld(typeUrl: string): boolean {
    const routing = typeUrl === ROUTE_CONFIGURATION_TYPE_URL || typeUrl === SCOPED_ROUTE_CONFIGURATION_TYPE_URL;
    const held = (this.#warming.warming && isReferencing(typeUrl)) || (routing && this.#inFlight.has(LISTENER_TYPE_URL));
    if (held) this.#held.add(typeUrl);
    return held;
  }

  /** Whether a response of this type must wait for the stream to take the ones before (see StreamBackPressure). */
  protected isDeferred(typeUrl: string): boolean {
    if (!this.#pressure.defer(typeUrl)) return false;
    // Like a response in flight, a deferred listener or route response keeps a transition open.
    if (this.#inTransition && isReferencing(typeUrl)) this.#awaitingAck.add(typeUrl);
    return true;
  }

  /** A response was taken by the transport: send the deferred types their latest state once they are due. */
  #written(typeUrl: string): void {
    const due = this.#pressure.written(typeUrl);
    if (due.length === 0 || !this.#serving) return;
    for (const type of due) if (!this.#inFlight.has(type)) this.#awaitingAck.delete(type);
    this.onSnapshot(this.#serving); // sends (and awaits again) what is still due
    this.#completeTransition();
    this.#noteAccepted();
  }

  /** Whether this stream may not be sent this type at all: Secrets over a plaintext stream from another host. */
  protected isWithheld(typeUrl: string): boolean {
    const reason = this.#options.withholdSecrets;
    if (typeUrl !== SECRET_TYPE_URL || !reason) return false;
    if (!this.#secretsWithheldNoted) {
      this.#secretsWithheldNoted = true;
      this.ctx.log.warn("not sending Secrets to this node: its xDS stream is plaintext and from another host", { node: this.nodeId, gateway: this.gateway, peer: this.#options.peer, fix: "serve with --tls-cert/--tls-key/--client-ca (mTLS)" });
      this.ctx.status.secretsWithheld(this, this.nodeId, reason);
    }
    return true;
  }

  /** A request says the node already runs some config (SotW version_info, Delta initial versions). */
  protected noteRunningConfig(): void {
    this.#ranConfigBefore = true;
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
    if (responseNonce !== latest.toString(36)) return "stale";
    const inFlight = this.#inFlight.get(typeUrl);
    // The latest response was already ACKed or NACKed: this request only changes the subscription.
    if (!inFlight) return "none";
    this.#inFlight.delete(typeUrl);
    const labels = { type: shortType(typeUrl), mode: this.mode };
    this.ctx.metrics.pushToAck.observe(labels, Number(process.hrtime.bigint() - inFlight.sentAt) / 1e9);
    if (errorMessage !== undefined) {
      this.ctx.metrics.nacks.inc(labels);
      this.#reject(typeUrl, inFlight, errorMessage);
      return "nack";
    }
    this.ctx.metrics.acks.inc(labels);
    this.ctx.status.acked(this, this.nodeId, typeUrl, ackedVersion || inFlight.version);
    // A deferred listener or route response still has to go out before the transition may end.
    if (!this.#pressure.isDeferred(typeUrl) && this.#awaitingAck.delete(typeUrl)) this.#completeTransition();
    if (typeUrl === CLUSTER_LOAD_ASSIGNMENT_TYPE_URL && this.#warming.acked(inFlight.names ?? [])) this.#warmed();
    if (typeUrl === LISTENER_TYPE_URL) this.#release();
    this.#noteAccepted();
    return "ack";
  }

  /** Records what is served as accepted once every response of it is ACKed and nothing waits. */
  #noteAccepted(): void {
    if (this.#inFlight.size === 0 && !this.#inTransition && !this.#warming.warming && this.#held.size === 0 && !this.#pressure.deferring) this.#rollback.accepted(this.#serving);
  }

  /** A NACK: report it, and put the node back on the last snapshot it accepted (see the file comment). */
  #reject(typeUrl: string, inFlight: InFlight, errorMessage: string): void {
    const rejected = this.ctx.cache.getSnapshot(this.gateway);
    const revertTo = this.#rollback.rejected(this.#serving, rejected);
    const nack = describeNack({ typeUrl, version: inFlight.version, message: errorMessage, sent: inFlight.names ?? [], origin: (name) => this.ctx.origin?.(this.gateway, typeUrl, name) });
    const record = { ...nack, ...(rejected ? { snapshot: rejected.version } : {}), ...(revertTo ? { revertedTo: revertTo.version } : {}) };
    this.ctx.status.nacked(this, this.nodeId, record);
    const what = revertTo ? "reverting it to the last snapshot it accepted" : "it has no accepted snapshot to go back to";
    this.ctx.log.warn(`node rejected a config (NACK); ${what}`, { node: this.nodeId, gateway: this.gateway, ...nackLogFields(record) });
    if (revertTo) this.#moveTo(revertTo);
    else if (!this.#ranConfigBefore) this.#release(); // a new node has no routes but these
  }

  /**
   * Sends a (shared) response and remembers it as in flight; `names` are the resources it carries,
   * whose ACK tells which new clusters are warm (see EndpointWarming). Nonces only grow on a stream,
   * so a response whose nonce is not above the type's latest was sent here before (or is older than
   * what was): it goes out as a copy with a new nonce, or its ACKs could not be told apart.
   */
  protected send(typeUrl: string, version: string, shared: FramedResponse, names?: readonly string[]): void {
    if (this.#closed) return;
    const response = shared.renonced(this.#latestNonce.get(typeUrl) ?? 0);
    this.#latestNonce.set(typeUrl, response.nonce);
    this.#inFlight.set(typeUrl, { nonce: response.nonceText, version, sentAt: process.hrtime.bigint(), ...(names ? { names } : {}) });
    if (this.#inTransition && isReferencing(typeUrl)) this.#awaitingAck.add(typeUrl);
    this.ctx.metrics.pushes.inc({ type: shortType(typeUrl), mode: this.mode });
    this.#pressure.sending(typeUrl);
    this.#sink.write(response, () => this.#written(typeUrl));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#warming.clear();
    this.#pressure.close();
    this.#unwatch?.();
    if (this.nodeId) this.ctx.status.disconnected(this, this.nodeId);
    this.ctx.metrics.streams.dec({ mode: this.mode });
    for (const typeUrl of this.#subscribedTypes) this.ctx.metrics.subscriptions.dec({ type: shortType(typeUrl), mode: this.mode });
  }
}
