/**
 * Endpoints (ClusterLoadAssignment names) new in the snapshot a node is served that it has not
 * ACKed yet. While any remain, its listeners and routes are held: a route to a cluster still
 * waiting for its endpoints answers 503. Envoy asks for a new cluster's endpoints only once it has
 * the cluster, so "nothing in flight" does not mean warm; only the ACK of those names does.
 */
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL } from "../envoy/type-urls.ts";
import type { Snapshot } from "../xds/snapshot.ts";

/**
 * How long listeners and routes wait for new clusters to warm. A node that never asks for their
 * endpoints (a DNS cluster, a client that does not use EDS) must not block its updates for good.
 */
export const WARMING_TIMEOUT_MS = 2000;

export class EndpointWarming {
  readonly #names = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  /** Called when the timeout passes with endpoints still unACKed (their names, sorted). */
  readonly #onTimeout: (names: string[]) => void;

  constructor(onTimeout: (names: string[]) => void) {
    this.#onTimeout = onTimeout;
  }

  get warming(): boolean {
    return this.#names.size > 0;
  }

  /**
   * A node moves from `previous` to `serving`: only endpoints it takes by EDS can warm; names
   * dropped since no longer hold anything.
   */
  start(previous: Snapshot, serving: Snapshot, takesEndpoints: boolean): void {
    const before = previous.resources.get(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    const now = serving.resources.get(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    for (const name of this.#names) if (!now?.has(name)) this.#names.delete(name);
    if (takesEndpoints) for (const name of now?.keys() ?? []) if (!before?.has(name)) this.#names.add(name);
    if (this.#names.size === 0) this.clear();
    else this.#timer ??= setTimeout(() => this.#onTimeout([...this.#names].sort()), WARMING_TIMEOUT_MS).unref();
  }

  /** The node ACKed a response carrying these endpoints; true when that ended the warming. */
  acked(names: readonly string[]): boolean {
    if (this.#names.size === 0) return false;
    for (const name of names) this.#names.delete(name);
    return this.#names.size === 0;
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#names.clear();
  }
}
