/**
 * State-of-the-world ADS (StreamAggregatedResources). Per type: the subscription, and what was
 * last sent. A response goes out when the subscription or the type's version changed since the
 * last one — so a NACKed version is not re-sent in a loop, while a new version is.
 */
import type { DiscoveryRequest } from "../../generated/envoy/service/discovery/v3/discovery_pb.js";
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL } from "../envoy/type-urls.ts";
import type { Snapshot } from "../xds/snapshot.ts";
import { AdsSession, type AdsContext, type ResponseSink, type SessionOptions } from "./ads-session.ts";
import { inPushOrder, isImplicitWildcard } from "./resource-types.ts";
import { sotwResponse } from "./snapshot-cache.ts";

interface SotwTypeState {
  wildcard: boolean;
  names: Set<string>;
  sentVersion?: string;
  sentSubscription?: string;
  /** A forced re-send (endpoints after changed clusters) that back-pressure deferred. */
  resendOwed?: boolean;
}

export class SotwSession extends AdsSession {
  readonly #types = new Map<string, SotwTypeState>();

  constructor(ctx: AdsContext, sink: ResponseSink, options: SessionOptions) {
    super(ctx, "sotw", sink, options);
  }

  /** Returns false when the stream must be closed. */
  handle(request: DiscoveryRequest): boolean {
    if (!this.identify(request.node)) return false;
    const { typeUrl } = request;
    // A version without a nonce: the node has this type from an earlier stream.
    if (request.versionInfo && !request.responseNonce) this.noteRunningConfig();
    const outcome = this.settle(typeUrl, request.responseNonce, request.errorDetail?.message, request.versionInfo);
    if (outcome === "stale") return true;
    let state = this.#types.get(typeUrl);
    const first = !state;
    if (!state) this.#types.set(typeUrl, (state = { wildcard: false, names: new Set() }));
    this.noteSubscribed(typeUrl);
    const names = request.resourceNames;
    state.wildcard = names.includes("*") || (names.length === 0 && (first || state.wildcard) && isImplicitWildcard(typeUrl));
    state.names = new Set(names.filter((name) => name !== "*"));
    this.#respond(typeUrl, state, false);
    return true;
  }

  protected onSnapshot(): void {
    let clustersChanged = false;
    for (const typeUrl of inPushOrder(this.#types.keys())) {
      const state = this.#types.get(typeUrl)!;
      // Envoy re-creates changed clusters, which wait (warming) for endpoints: send them again.
      const sent = this.#respond(typeUrl, state, typeUrl === CLUSTER_LOAD_ASSIGNMENT_TYPE_URL && clustersChanged);
      if (typeUrl === CLUSTER_TYPE_URL) clustersChanged = sent;
    }
  }

  #respond(typeUrl: string, state: SotwTypeState, force: boolean): boolean {
    const snapshot: Snapshot | undefined = this.snapshot();
    if (!snapshot || this.isHeld(typeUrl) || this.isWithheld(typeUrl)) return false;
    const response = sotwResponse(snapshot, typeUrl, state.wildcard, state.names);
    const unchanged = state.sentVersion === response.version && state.sentSubscription === response.subscriptionKey;
    const resend = force || state.resendOwed === true;
    if (unchanged && !resend) return false;
    if (this.isDeferred(typeUrl)) {
      state.resendOwed = resend;
      return false;
    }
    state.resendOwed = false;
    state.sentVersion = response.version;
    state.sentSubscription = response.subscriptionKey;
    this.send(typeUrl, response.version, response.response, response.names);
    return true;
  }
}
