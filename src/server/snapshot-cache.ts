/**
 * The store between whoever builds snapshots and the ADS streams that serve them, keyed by gateway
 * name (= node.cluster). It knows nothing about how a snapshot is made.
 */
import type { Snapshot, XdsResource } from "../xds/snapshot.ts";
import { buildSnapshot, contentHash } from "../xds/snapshot.ts";
import { isReferenced, isWildcardAllowed } from "./resource-types.ts";
import { deltaResponse, encodeSotwBody, FramedResponse } from "./wire.ts";

export type SnapshotListener = (snapshot: Snapshot) => void;

export class SnapshotCache {
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #listeners = new Map<string, Set<SnapshotListener>>();

  /** Stores a gateway's snapshot and notifies its streams; an identical version is a no-op. */
  setSnapshot(gateway: string, snapshot: Snapshot): void {
    if (this.#snapshots.get(gateway)?.version === snapshot.version) return;
    this.#snapshots.set(gateway, snapshot);
    for (const listener of this.#listeners.get(gateway) ?? []) listener(snapshot);
  }

  /**
   * Stops offering a gateway to new streams. Streams already serving it keep what they have:
   * pushing an empty config would tear down a running proxy.
   */
  removeSnapshot(gateway: string): void {
    this.#snapshots.delete(gateway);
  }

  getSnapshot(gateway: string): Snapshot | undefined {
    return this.#snapshots.get(gateway);
  }

  gateways(): string[] {
    return [...this.#snapshots.keys()].sort();
  }

  /** Calls `listener` on every later snapshot of `gateway` (which need not exist yet). */
  watch(gateway: string, listener: SnapshotListener): () => void {
    let listeners = this.#listeners.get(gateway);
    if (!listeners) this.#listeners.set(gateway, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }
}

export interface SotwResponse {
  readonly version: string;
  /** Identifies the subscription the body answers, so a changed subscription is answered again. */
  readonly subscriptionKey: string;
  /** The framed DiscoveryResponse; see wire.ts. */
  readonly response: FramedResponse;
  /** The names of the resources in `response`. */
  readonly names: readonly string[];
}

const transitions = new WeakMap<Snapshot, Map<string, Snapshot>>();

/**
 * Make-before-break: what a node moving from `previous` to `next` is served until it has ACKed the
 * listeners and routes of `next` — `next` plus the clusters, endpoints and route configs that
 * `previous` had and `next` drops, since the node's current routes may still reference them.
 * `next` itself when nothing referenced is dropped. Its version derives from its content, so from
 * both snapshots. Shared by every stream making the same move, so its responses are encoded once.
 */
export function transitionalSnapshot(previous: Snapshot, next: Snapshot): Snapshot {
  let byPrevious = transitions.get(next);
  if (!byPrevious) transitions.set(next, (byPrevious = new Map()));
  let transitional = byPrevious.get(previous.version);
  if (!transitional) {
    const dropped: XdsResource[] = [];
    for (const [typeUrl, ofType] of previous.resources) {
      if (!isReferenced(typeUrl)) continue;
      const kept = next.resources.get(typeUrl);
      for (const resource of ofType.values()) if (!kept?.has(resource.name)) dropped.push(resource);
    }
    const all = [...next.resources.values()].flatMap((ofType) => [...ofType.values()]);
    transitional = dropped.length === 0 ? next : buildSnapshot([...all, ...dropped]);
    byPrevious.set(previous.version, transitional);
  }
  return transitional;
}

const typeVersions = new WeakMap<Snapshot, Map<string, string>>();
const sotwBodies = new WeakMap<Snapshot, Map<string, SotwResponse>>();
const deltaResponses = new WeakMap<Snapshot, Map<string, FramedResponse>>();
/** Per snapshot: after an edit every stream needs the same one or two change sets per type. */
const DELTA_RESPONSES_KEPT = 32;
/**
 * Per snapshot: SotW subscriptions are "everything" or the names an Envoy's config references, so a
 * fleet of one gateway has a handful; a client could make them endless by cycling names: keep many, not all.
 */
const SOTW_RESPONSES_KEPT = 256;

/** A version per type, so a change to routes does not re-push unchanged clusters. */
export function typeVersion(snapshot: Snapshot, typeUrl: string): string {
  let versions = typeVersions.get(snapshot);
  if (!versions) typeVersions.set(snapshot, (versions = new Map()));
  let version = versions.get(typeUrl);
  if (version === undefined) {
    const parts: string[] = [typeUrl];
    for (const [name, resource] of snapshot.resources.get(typeUrl) ?? []) parts.push(name, resource.version);
    version = contentHash(...parts);
    versions.set(typeUrl, version);
  }
  return version;
}

/** The resources a subscription selects: every one, or the named ones that exist, in name order. */
function selectResources(snapshot: Snapshot, typeUrl: string, everything: boolean, names: ReadonlySet<string>): XdsResource[] {
  const ofType = snapshot.resources.get(typeUrl);
  if (!ofType) return [];
  if (everything) return [...ofType.values()];
  return [...ofType.values()].filter((resource) => names.has(resource.name));
}

/**
 * The state-of-the-world response for a subscription, encoded once per (snapshot, type,
 * subscription) and shared by every stream with that subscription.
 */
export function sotwResponse(snapshot: Snapshot, typeUrl: string, wildcard: boolean, names: ReadonlySet<string>): SotwResponse {
  // A wildcard that the type does not allow (Secrets) selects by name only, so the names are the key.
  const everything = wildcard && isWildcardAllowed(typeUrl);
  const subscriptionKey = everything ? "*" : [...names].sort().join("\0");
  const cacheKey = `${typeUrl}\n${subscriptionKey}`;
  let bodies = sotwBodies.get(snapshot);
  if (!bodies) sotwBodies.set(snapshot, (bodies = new Map()));
  let response = bodies.get(cacheKey);
  if (!response) {
    const version = typeVersion(snapshot, typeUrl);
    const selected = selectResources(snapshot, typeUrl, everything, names);
    const framed = new FramedResponse([encodeSotwBody(version, typeUrl, selected)]);
    response = { version, subscriptionKey, response: framed, names: selected.map((resource) => resource.name) };
    if (bodies.size >= SOTW_RESPONSES_KEPT) bodies.delete(bodies.keys().next().value!);
    bodies.set(cacheKey, response);
  }
  return response;
}

/**
 * The Delta response carrying `updated` and `removed` of a snapshot's type, encoded once per
 * (snapshot, type, change set) and shared by every stream that lacks the same resources — after an
 * edit, usually all of them.
 */
export function deltaSnapshotResponse(snapshot: Snapshot, typeUrl: string, updated: readonly XdsResource[], removed: readonly string[]): FramedResponse {
  const cacheKey = `${typeUrl}\n${updated.map((resource) => resource.name).join("\0")}\n${removed.join("\0")}`;
  let responses = deltaResponses.get(snapshot);
  if (!responses) deltaResponses.set(snapshot, (responses = new Map()));
  let response = responses.get(cacheKey);
  if (!response) {
    response = deltaResponse({ systemVersionInfo: snapshot.version, typeUrl, resources: updated, removed });
    // Change sets follow what each client has and asks, so clients can make them endless: keep a few.
    if (responses.size >= DELTA_RESPONSES_KEPT) responses.delete(responses.keys().next().value!);
    responses.set(cacheKey, response);
  }
  return response;
}
