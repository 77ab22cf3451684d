/**
 * Memoizes per-item work across compiles of one gateway, keyed by the item's content. Each compile
 * starts a new generation and keeps only the entries it used, so the cache holds one gateway's
 * worth of items and never grows without bound.
 */
export class GenerationCache<V> {
  #previous = new Map<string, V>();
  #current = new Map<string, V>();

  /** Starts a compile: entries not used since the last `nextGeneration` are dropped. */
  nextGeneration(): void {
    this.#previous = this.#current;
    this.#current = new Map();
  }

  /** The value remembered under `key` (built when there is none, or when `fits` says it no longer fits). */
  get(key: string, build: () => V, fits?: (value: V) => boolean): V {
    let value = this.#current.get(key) ?? this.#previous.get(key);
    if (value === undefined || (fits && !fits(value))) value = build();
    this.#current.set(key, value);
    return value;
  }
}
