/**
 * Access grants stop working at their expiry instant, not at the next config edit: after each
 * served compile, a timer recompiles the config when its next active grant expires, and the
 * recompile (judged at that instant) drops the grant's rules like any other change.
 */
import { nextGrantExpiry } from "../model/grants.ts";
import type { CompileOutcome } from "./gateway-registry.ts";
import type { Logger } from "./log.ts";

// setTimeout holds at most 2^31-1 ms (about 24.8 days); a later expiry re-arms on the way.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export class GrantExpiry {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #recompile: (file: string) => Promise<void>;
  readonly #log: Logger;

  constructor(recompile: (file: string) => Promise<void>, log: Logger) {
    this.#recompile = recompile;
    this.#log = log;
  }

  /**
   * Follows a compile's grants. A compile with errors changes nothing: the last good snapshot is
   * still served, so its grants must still expire on time.
   */
  track(outcome: CompileOutcome): void {
    if (!outcome.ir || !outcome.snapshot || outcome.diagnostics.some((d) => d.severity === "error")) return;
    clearTimeout(this.#timers.get(outcome.file));
    this.#timers.delete(outcome.file);
    const next = nextGrantExpiry(outcome.ir.grants);
    if (next === undefined) return;
    // +1 ms: the recompile must judge the grant at or after its instant.
    const delay = Math.min(Math.max(next - Date.now(), 0) + 1, LONGEST_TIMER_MS);
    const file = outcome.file;
    this.#timers.set(
      file,
      setTimeout(() => {
        this.#timers.delete(file);
        this.#log.info("an access grant expires; recompiling", { file, at: new Date(next).toISOString() });
        this.#recompile(file).catch((error: Error) => this.#log.error("recompile at a grant's expiry failed; the expired grant may still be served", { file, error: error.message }));
      }, delay),
    );
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
