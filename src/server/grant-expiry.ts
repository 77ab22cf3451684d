/**
 * Access grants stop working at their expiry instant, not at the next config edit: after each
 * served compile, a timer recompiles the config when its next active grant expires, and the
 * recompile (judged at that instant) drops the grant's rules like any other change.
 */
import { compileGateway } from "../compile.ts";
import { hasErrors } from "../config/diagnostics.ts";
import { nextGrantExpiry } from "../model/grants.ts";
import type { CompileOutcome } from "./gateway-registry.ts";
import type { Logger } from "./log.ts";

// setTimeout holds at most 2^31-1 ms (about 24.8 days); a later expiry re-arms on the way.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The last good compile judged again now: the same in-memory config, so an expired grant drops out
 * even when the file on disk no longer compiles.
 */
function recompileInMemory(last: CompileOutcome): CompileOutcome | undefined {
  if (!last.config) return undefined;
  const compiled = compileGateway(last.config, last.locate, { file: last.file });
  return { ...compiled, file: last.file, config: last.config, ...(last.locate ? { locate: last.locate } : {}), ...(last.gateway ? { gateway: last.gateway } : {}) };
}

export class GrantExpiry {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #compileFile: (file: string) => Promise<CompileOutcome>;
  readonly #apply: (outcome: CompileOutcome) => void;
  readonly #log: Logger;

  /**
   * `compileFile` compiles a config file as the server does; `apply` serves an outcome (and calls
   * `track` with it, as every served compile does).
   */
  constructor(compileFile: (file: string) => Promise<CompileOutcome>, apply: (outcome: CompileOutcome) => void, log: Logger) {
    this.#compileFile = compileFile;
    this.#apply = apply;
    this.#log = log;
  }

  /**
   * Follows a compile's grants. A compile with errors changes nothing: the last good snapshot is
   * still served, so its grants must still expire on time.
   */
  track(outcome: CompileOutcome): void {
    if (!outcome.ir || !outcome.snapshot || hasErrors(outcome.diagnostics)) return;
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
        this.#expire(outcome).catch((error: Error) => this.#log.error("recompile at a grant's expiry failed; the expired grant may still be served", { file, error: error.message }));
      }, delay),
    );
  }

  /**
   * Recompiles at a grant's expiry. When the file no longer compiles, the last good snapshot would
   * keep the expired grant (failing open), so the last good config is compiled again instead.
   */
  async #expire(last: CompileOutcome): Promise<void> {
    const fromFile = await this.#compileFile(last.file);
    this.#apply(fromFile);
    if (fromFile.snapshot && !hasErrors(fromFile.diagnostics)) return;
    const fallback = recompileInMemory(last);
    if (!fallback?.snapshot || hasErrors(fallback.diagnostics)) {
      this.#log.error("the config has errors at a grant's expiry and the last good config no longer compiles; the expired grant is still served until the config is fixed", { file: last.file });
      return;
    }
    this.#log.error("the config has errors at a grant's expiry; serving the last good config without the expired grant", { file: last.file, version: fallback.snapshot.version });
    this.#apply(fallback);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
