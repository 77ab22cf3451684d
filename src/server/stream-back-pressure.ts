/**
 * Back-pressure on one ADS stream. A response the transport has not taken yet (the client does
 * not read, or reads slowly, and HTTP/2 flow control stops the writes) is "unwritten"; a type that
 * comes due meanwhile is not sent but "deferred" — as is any type while another is deferred, so
 * responses keep the push order. Once no deferred type has an unwritten response, the deferred
 * types are released and the session sends each its latest state. A stream therefore holds at
 * most one unwritten response per type however many snapshots go by, and a client that reads
 * again skips the versions it missed.
 */
import type { ControlPlaneMetrics, StreamMode } from "./metrics.ts";
import { shortType } from "./resource-types.ts";

export class StreamBackPressure {
  readonly #unwritten = new Set<string>();
  readonly #deferred = new Set<string>();
  readonly #metrics: ControlPlaneMetrics;
  readonly #mode: StreamMode;

  constructor(metrics: ControlPlaneMetrics, mode: StreamMode) {
    this.#metrics = metrics;
    this.#mode = mode;
  }

  get deferring(): boolean {
    return this.#deferred.size > 0;
  }

  isDeferred(typeUrl: string): boolean {
    return this.#deferred.has(typeUrl);
  }

  /** Whether a response of this type must wait; if so it is noted as deferred. */
  defer(typeUrl: string): boolean {
    if (!this.#unwritten.has(typeUrl) && this.#deferred.size === 0) return false;
    if (!this.#deferred.has(typeUrl)) {
      this.#deferred.add(typeUrl);
      this.#metrics.deferred.inc(this.#labels(typeUrl));
    }
    return true;
  }

  /** A response of this type goes to the transport. */
  sending(typeUrl: string): void {
    if (this.#unwritten.has(typeUrl)) return;
    this.#unwritten.add(typeUrl);
    this.#metrics.unwritten.inc(this.#labels(typeUrl));
  }

  /** The transport took this type's response: returns the deferred types now due, if any. */
  written(typeUrl: string): string[] {
    if (!this.#unwritten.delete(typeUrl)) return []; // the stream closed meanwhile
    this.#metrics.unwritten.dec(this.#labels(typeUrl));
    for (const type of this.#deferred) if (this.#unwritten.has(type)) return [];
    const due = [...this.#deferred];
    this.#clearDeferred();
    return due;
  }

  /** The stream closed: nothing is owed any more. */
  close(): void {
    this.#clearDeferred();
    for (const typeUrl of this.#unwritten) this.#metrics.unwritten.dec(this.#labels(typeUrl));
    this.#unwritten.clear();
  }

  #clearDeferred(): void {
    for (const typeUrl of this.#deferred) this.#metrics.deferred.dec(this.#labels(typeUrl));
    this.#deferred.clear();
  }

  #labels(typeUrl: string) {
    return { type: shortType(typeUrl), mode: this.#mode };
  }
}
