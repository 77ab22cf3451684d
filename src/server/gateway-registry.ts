/**
 * The configs a control plane serves: per config file, the gateway it defines, the version served
 * and the diagnostics of the last compile. A broken compile keeps the last good snapshot.
 */
import type { Diagnostic } from "../config/diagnostics.ts";
import { hasErrors } from "../config/diagnostics.ts";
import type { Snapshot } from "../xds/snapshot.ts";
import type { Logger } from "./log.ts";
import type { ControlPlaneMetrics } from "./metrics.ts";
import type { SnapshotCache } from "./snapshot-cache.ts";

/** The compiler's result, as far as serving needs it (see src/compile.ts). */
export interface CompileOutcome {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly gateway?: string;
  readonly snapshot?: Snapshot;
}

export interface ConfigStatus {
  readonly file: string;
  readonly gateway?: string;
  /** The snapshot version being served, if any compile of this file succeeded. */
  readonly version?: string;
  readonly diagnostics: readonly Diagnostic[];
  /** False while the last compile failed (the previous good snapshot keeps being served). */
  readonly upToDate: boolean;
}

export class GatewayRegistry {
  readonly #configs = new Map<string, ConfigStatus>();
  readonly #cache: SnapshotCache;
  readonly #metrics: ControlPlaneMetrics;
  readonly #log: Logger;

  constructor(cache: SnapshotCache, metrics: ControlPlaneMetrics, log: Logger) {
    this.#cache = cache;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** Registers a file before its first compile, so /readyz knows to wait for it. */
  expect(file: string): void {
    if (!this.#configs.has(file)) this.#configs.set(file, { file, diagnostics: [], upToDate: false });
  }

  apply(outcome: CompileOutcome): void {
    const previous = this.#configs.get(outcome.file);
    const errors = outcome.diagnostics.filter((d) => d.severity === "error").length;
    this.#metrics.compileErrors.set({ file: outcome.file }, errors);
    for (const diagnostic of outcome.diagnostics) this.#log[diagnostic.severity === "error" ? "error" : "warn"](formatDiagnostic(diagnostic), { code: diagnostic.code, file: outcome.file });
    if (!outcome.snapshot || !outcome.gateway || hasErrors(outcome.diagnostics)) {
      this.#configs.set(outcome.file, { ...previous, file: outcome.file, diagnostics: outcome.diagnostics, upToDate: false });
      this.#log.error(
        previous?.version ? "config has errors; still serving the last good snapshot" : "config has errors; nothing to serve yet",
        { file: outcome.file, errors, ...(previous?.version ? { version: previous.version } : {}) },
      );
      return;
    }
    const clash = [...this.#configs.values()].find((config) => config.file !== outcome.file && config.gateway === outcome.gateway);
    if (clash) {
      this.#configs.set(outcome.file, { ...previous, file: outcome.file, diagnostics: outcome.diagnostics, upToDate: false });
      this.#log.error("two configs define the same gateway name; rename one (node.cluster picks the gateway)", {
        gateway: outcome.gateway,
        files: [clash.file, outcome.file],
      });
      return;
    }
    if (previous?.gateway && previous.gateway !== outcome.gateway) {
      this.#cache.removeSnapshot(previous.gateway);
      this.#metrics.clearSnapshotVersion(previous.gateway);
      this.#log.warn("the config renamed its gateway: proxies of the old name keep their last config, new ones get nothing", {
        file: outcome.file,
        from: previous.gateway,
        to: outcome.gateway,
      });
    }
    this.#cache.setSnapshot(outcome.gateway, outcome.snapshot);
    this.#metrics.setSnapshotVersion(outcome.gateway, outcome.snapshot.version);
    this.#configs.set(outcome.file, {
      file: outcome.file,
      gateway: outcome.gateway,
      version: outcome.snapshot.version,
      diagnostics: outcome.diagnostics,
      upToDate: true,
    });
    if (previous?.version !== outcome.snapshot.version) {
      this.#log.info("serving snapshot", { gateway: outcome.gateway, version: outcome.snapshot.version, file: outcome.file });
    }
  }

  /** Ready when every config has a snapshot being served. */
  ready(): boolean {
    return [...this.#configs.values()].every((config) => config.version !== undefined);
  }

  list(): ConfigStatus[] {
    return [...this.#configs.values()];
  }
}

/** `file:line:col: error PCL1001: message (hint)` — the same shape the CLI prints. */
function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.location ? `${diagnostic.location.file}:${diagnostic.location.line}:${diagnostic.location.column}: ` : "";
  const hint = diagnostic.hint ? ` (${diagnostic.hint})` : "";
  return `${where}${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}${hint}`;
}
