/**
 * Fixed-window counters: a limit of N per period admits N requests in each window, windows
 * aligned to the epoch (every replica, every Envoy agrees where a window starts), and the count
 * starts at zero at each boundary. Simple, and one atomic increment per request; the price is
 * that a caller can send N at the end of one window and N at the start of the next.
 */
export interface Hit {
  readonly counter: string;
  readonly periodSeconds: number;
  /** Requests this hit counts (Envoy's hits_addend; 1 for a request). */
  readonly amount: number;
}

export interface Count {
  /** The window's count after this hit. */
  readonly count: number;
  /** Milliseconds until the window ends and the count restarts. */
  readonly resetMs: number;
}

export interface CounterStore {
  /** Counts every hit, atomically per counter; rejects when the store cannot be reached. */
  add(hits: readonly Hit[], nowMs: number): Promise<Count[]>;
  close(): Promise<void>;
}

export function windowOf(periodSeconds: number, nowMs: number): { start: number; end: number } {
  const length = periodSeconds * 1000;
  const start = Math.floor(nowMs / length) * length;
  return { start, end: start + length };
}

/** Counters in this process: for one replica (`serve`, `up`, a single `ratelimit-service`). */
export class MemoryCounters implements CounterStore {
  readonly #counts = new Map<string, { window: number; end: number; count: number }>();
  #sweptAt = 0;

  async add(hits: readonly Hit[], nowMs: number): Promise<Count[]> {
    this.#sweep(nowMs);
    return hits.map((hit) => {
      const { start, end } = windowOf(hit.periodSeconds, nowMs);
      const current = this.#counts.get(hit.counter);
      const entry = current && current.window === start ? current : { window: start, end, count: 0 };
      entry.count += hit.amount;
      this.#counts.set(hit.counter, entry);
      return { count: entry.count, resetMs: end - nowMs };
    });
  }

  /** Drops ended windows, at most once a second, so keys of callers who left do not pile up. */
  #sweep(nowMs: number): void {
    if (nowMs - this.#sweptAt < 1000) return;
    this.#sweptAt = nowMs;
    for (const [counter, entry] of this.#counts) if (entry.end <= nowMs) this.#counts.delete(counter);
  }

  async close(): Promise<void> {
    this.#counts.clear();
  }
}
