/**
 * Whose turn it is among a provider's pooled keys, and which keys are out of the turn. Each
 * request takes the keys in an order of its own: the pool rotated by one per request, keys
 * answered with 401 in the last KEY_BENCH_MS moved last (still tried when every other key failed,
 * so a pool whose keys all got 401 keeps trying rather than refusing). Keys are told apart by a
 * fingerprint (a hash kept in memory only), so a recompile that reorders them keeps their state;
 * the keys themselves are never stored here, logged or shown.
 */
import { createHash } from "node:crypto";
import type { SecretValue } from "../../model/secret-value.ts";

/** How long a key the provider answered with 401 (revoked, mistyped) stays out of the turn. */
export const KEY_BENCH_MS = 5 * 60_000;

const fingerprints = new WeakMap<SecretValue, string>();
function fingerprint(key: SecretValue): string {
  let print = fingerprints.get(key);
  if (print === undefined) {
    print = createHash("sha256").update(key.reveal()).digest("base64url");
    fingerprints.set(key, print);
  }
  return print;
}

export class KeyRotation {
  /** Requests so far, per provider (`gateway/provider`). */
  readonly #turns = new Map<string, number>();
  /** Fingerprint → until when the key is out of the turn. */
  readonly #benched = new Map<string, number>();

  /** The order (indexes into `keys`) in which one request tries a provider's keys. */
  order(pool: string, keys: readonly SecretValue[], now: number): number[] {
    const turn = this.#turns.get(pool) ?? 0;
    this.#turns.set(pool, (turn + 1) % Number.MAX_SAFE_INTEGER);
    const rotated = keys.map((_, index) => (index + turn) % keys.length);
    const benched = (index: number) => (this.#benched.get(fingerprint(keys[index]!)) ?? 0) > now;
    return [...rotated.filter((index) => !benched(index)), ...rotated.filter(benched)];
  }

  /** The provider answered this key with 401: out of the turn for KEY_BENCH_MS. */
  bench(key: SecretValue, now: number): void {
    this.#benched.set(fingerprint(key), now + KEY_BENCH_MS);
    for (const [print, until] of this.#benched) if (until <= now) this.#benched.delete(print);
  }
}
