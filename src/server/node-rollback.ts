/**
 * One node's memory for reverting a rejected snapshot (see ads-session.ts): the last snapshot it
 * accepted completely, and the gateway version it rejected, which it is not served again until the
 * gateway moves on.
 */
import type { Snapshot } from "../xds/snapshot.ts";

export class NodeRollback {
  /** The last snapshot whose every response the node ACKed: where a NACK sends it back. */
  #lastAccepted: Snapshot | undefined;
  /** The gateway snapshot version the node rejected: while the gateway serves it, the node gets #lastAccepted. */
  #rejectedVersion: string | undefined;
  /** A NACK came since the served snapshot was last replaced: it is not accepted, whatever else is ACKed. */
  #servingNacked = false;

  /** What to serve while the gateway serves `current`: it, unless the node rejected it. */
  target(current: Snapshot | undefined): Snapshot | undefined {
    return current?.version === this.#rejectedVersion && this.#lastAccepted ? this.#lastAccepted : current;
  }

  /** The gateway has a new snapshot: it gets its own chance. */
  gatewayChanged(): void {
    this.#rejectedVersion = undefined;
  }

  /** The node is served another snapshot. */
  servingChanged(): void {
    this.#servingNacked = false;
  }

  /** Every response of `serving` is ACKed and nothing waits: the node runs all of it. */
  accepted(serving: Snapshot | undefined): void {
    if (!this.#servingNacked) this.#lastAccepted = serving;
  }

  /**
   * The node NACKed part of `serving` while the gateway serves `current`: returns the snapshot to
   * revert it to, or undefined when it has none (then it keeps what it was sent).
   */
  rejected(serving: Snapshot | undefined, current: Snapshot | undefined): Snapshot | undefined {
    this.#servingNacked = true;
    // Accepted too early (before the node subscribed to the type it now rejects) is not accepted.
    if (this.#lastAccepted === serving) this.#lastAccepted = undefined;
    if (!this.#lastAccepted || !current) return undefined;
    this.#rejectedVersion = current.version;
    return this.#lastAccepted;
  }
}
