/**
 * Incremental ADS (DeltaAggregatedResources). Per type: the subscription and the version of every
 * resource the client is known to have (seeded from `initial_resource_versions` on reconnect), so
 * a response carries only what changed plus the names that went away.
 */
import type { DeltaDiscoveryRequest } from "../../generated/envoy/service/discovery/v3/discovery_pb.js";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL } from "../envoy/type-urls.ts";
import type { Snapshot, XdsResource } from "../xds/snapshot.ts";
import { AdsSession, type AdsContext, type ResponseSink, type SessionOptions } from "./ads-session.ts";
import { inPushOrder, isImplicitWildcard, isWildcardAllowed } from "./resource-types.ts";
import { deltaSnapshotResponse } from "./snapshot-cache.ts";

interface DeltaTypeState {
  wildcard: boolean;
  readonly names: Set<string>;
  /** Resource name → the version the client has ("" for a name it subscribed that is still to be reported absent). */
  readonly known: Map<string, string>;
}

export class DeltaSession extends AdsSession {
  readonly #types = new Map<string, DeltaTypeState>();

  constructor(ctx: AdsContext, sink: ResponseSink, options: SessionOptions) {
    super(ctx, "delta", sink, options);
  }

  /** Returns false when the stream must be closed. */
  handle(request: DeltaDiscoveryRequest): boolean {
    if (!this.identify(request.node)) return false;
    const { typeUrl } = request;
    let state = this.#types.get(typeUrl);
    const first = !state;
    if (!state) {
      state = { wildcard: false, names: new Set(), known: new Map(Object.entries(request.initialResourceVersions)) };
      if (state.known.size > 0) this.noteRunningConfig();
      this.#types.set(typeUrl, state);
      this.noteSubscribed(typeUrl);
      if (request.resourceNamesSubscribe.length === 0 && isImplicitWildcard(typeUrl)) state.wildcard = true;
    }
    for (const name of request.resourceNamesSubscribe) {
      if (name === "*") state.wildcard = true;
      else state.names.add(name);
      // The client may have forgotten a resource while staying subscribed, so a subscribe gets it
      // again; only the first request's initial_resource_versions say what the client really has.
      if (first) continue;
      if (name === "*") state.known.clear();
      else state.known.delete(name);
    }
    for (const name of request.resourceNamesUnsubscribe) {
      if (name === "*") state.wildcard = false;
      else {
        state.names.delete(name);
        state.known.delete(name);
      }
    }
    // Subscription changes apply whatever the nonce; only ACK/NACK accounting needs a current one.
    const snapshot = this.snapshot();
    this.settle(typeUrl, request.responseNonce, request.errorDetail?.message, snapshot?.version ?? "");
    this.#respond(typeUrl, state, request.resourceNamesSubscribe);
    return true;
  }

  protected onSnapshot(snapshot: Snapshot): void {
    for (const typeUrl of inPushOrder(this.#types.keys())) {
      const state = this.#types.get(typeUrl)!;
      const clusters = typeUrl === CLUSTER_TYPE_URL ? this.#respond(typeUrl, state) : [];
      if (clusters.length > 0) this.#forgetEndpointsOf(clusters, snapshot);
      if (typeUrl !== CLUSTER_TYPE_URL) this.#respond(typeUrl, state);
    }
  }

  /** Envoy re-creates changed clusters, which wait (warming) for endpoints: send those again. */
  #forgetEndpointsOf(clusters: readonly XdsResource[], snapshot: Snapshot): void {
    const endpoints = this.#types.get(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    const assignments = snapshot.resources.get(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    if (!endpoints || !assignments) return;
    for (const cluster of clusters) {
      const serviceName = edsServiceName(cluster);
      if (assignments.has(serviceName)) endpoints.known.delete(serviceName);
    }
  }

  /**
   * Sends what the client lacks; returns the resources sent. `justSubscribed` names that do not
   * exist are reported as removed, so the client need not wait out its does-not-exist timer; they
   * stay subscribed and are sent if they appear.
   */
  #respond(typeUrl: string, state: DeltaTypeState, justSubscribed: readonly string[] = []): XdsResource[] {
    const snapshot = this.snapshot();
    if (!snapshot || this.isHeld(typeUrl) || this.isWithheld(typeUrl)) return [];
    const ofType = snapshot.resources.get(typeUrl) ?? new Map<string, XdsResource>();
    const wildcard = state.wildcard && isWildcardAllowed(typeUrl);
    const wanted = (name: string): boolean => wildcard || state.names.has(name);
    const updated: XdsResource[] = [];
    for (const resource of ofType.values()) {
      if (wanted(resource.name) && state.known.get(resource.name) !== resource.version) updated.push(resource);
    }
    for (const name of state.known.keys()) if (!wanted(name)) state.known.delete(name);
    // Noted as known (at no version) so they are reported even by a later response, if this one is deferred.
    for (const name of justSubscribed) if (state.names.has(name) && !ofType.has(name)) state.known.set(name, "");
    const removed = [...state.known.keys()].filter((name) => !ofType.has(name)).sort();
    if ((updated.length === 0 && removed.length === 0) || this.isDeferred(typeUrl)) return [];
    for (const resource of updated) state.known.set(resource.name, resource.version);
    for (const name of removed) state.known.delete(name);
    this.send(typeUrl, snapshot.version, deltaSnapshotResponse(snapshot, typeUrl, updated, removed), updated.map((resource) => resource.name));
    return updated;
  }
}

/** The EDS name a cluster subscribes to: its eds_cluster_config.service_name, else its own name. */
function edsServiceName(cluster: XdsResource): string {
  const message = cluster.message as { edsClusterConfig?: { serviceName?: string } };
  return message.edsClusterConfig?.serviceName || cluster.name;
}
