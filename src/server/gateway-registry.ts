/**
 * The configs a control plane serves: per config file, the gateway it defines, the version served
 * and the diagnostics of the last compile. A broken compile keeps the last good snapshot.
 */
import type { Diagnostic } from "../config/diagnostics.ts";
import { hasErrors } from "../config/diagnostics.ts";
import type { Locate } from "../config/locate.ts";
import type { GatewayConfig } from "../config/types.ts";
import type { GatewayIR } from "../model/ir.ts";
import type { Snapshot } from "../xds/snapshot.ts";
import type { Logger } from "./log.ts";
import type { ControlPlaneMetrics } from "./metrics.ts";
import { originKey, resourceOrigins, type ResourceOrigin, type ResourceOrigins } from "./resource-origins.ts";
import { logFindings } from "./findings-log.ts";
import { serveChecks } from "./serve-checks.ts";
import type { SnapshotCache } from "./snapshot-cache.ts";

/** The compiler's result, as far as serving needs it (see src/compile.ts). */
export interface CompileOutcome {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly gateway?: string;
  readonly snapshot?: Snapshot;
  /** With the config and locate: serve-time checks and where each resource comes from (for NACKs). */
  readonly ir?: GatewayIR;
  readonly config?: GatewayConfig;
  readonly locate?: Locate;
}

export interface ServedGateway {
  readonly ir: GatewayIR;
  readonly file: string;
  readonly version: string;
  readonly locate?: Locate;
}

export interface GatewayRegistryOptions {
  /** Whether every Envoy served runs on this host (xDS on loopback only); see serve-checks.ts. */
  readonly envoysOnThisHost?: boolean;
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
  readonly #envoysOnThisHost: boolean;
  /** Gateway → where the resources of the snapshot it serves come from. */
  /** Worked out when a NACK asks (most snapshots never get one), not before each push. */
  readonly #origins = new Map<string, () => ResourceOrigins>();
  /** The IR of each gateway's served snapshot, for the catalog at /catalog. */
  readonly #served = new Map<string, ServedGateway>();

  constructor(cache: SnapshotCache, metrics: ControlPlaneMetrics, log: Logger, options: GatewayRegistryOptions = {}) {
    this.#cache = cache;
    this.#metrics = metrics;
    this.#log = log;
    this.#envoysOnThisHost = options.envoysOnThisHost ?? true;
  }

  /** Registers a file before its first compile, so /readyz knows to wait for it. */
  expect(file: string): void {
    if (!this.#configs.has(file)) this.#configs.set(file, { file, diagnostics: [], upToDate: false });
  }

  /**
   * Serves a compile's snapshot, unless it or the serve-time checks found an error: then the last
   * good snapshot stays and the findings are on /status.
   */
  apply(compiled: CompileOutcome): void {
    const checked = hasErrors(compiled.diagnostics) ? [] : serveChecks(compiled, this.#envoysOnThisHost);
    const outcome = { ...compiled, diagnostics: [...compiled.diagnostics, ...checked] };
    const previous = this.#configs.get(outcome.file);
    const errors = outcome.diagnostics.filter((d) => d.severity === "error").length;
    this.#metrics.compileErrors.set({ file: outcome.file }, errors);
    // A good snapshot is pushed before its findings are written out (a large config can have a hundred).
    const logged = () => logFindings(this.#log, outcome.file, outcome.diagnostics, previous?.diagnostics ?? []);
    if (!outcome.snapshot || !outcome.gateway || hasErrors(outcome.diagnostics)) {
      logged();
      this.#configs.set(outcome.file, { ...previous, file: outcome.file, diagnostics: outcome.diagnostics, upToDate: false });
      this.#log.error(
        previous?.version ? "config has errors; still serving the last good snapshot" : "config has errors; nothing to serve yet",
        { file: outcome.file, errors, ...(previous?.version ? { version: previous.version } : {}) },
      );
      return;
    }
    const clash = [...this.#configs.values()].find((config) => config.file !== outcome.file && config.gateway === outcome.gateway);
    if (clash) {
      logged();
      this.#configs.set(outcome.file, { ...previous, file: outcome.file, diagnostics: outcome.diagnostics, upToDate: false });
      this.#log.error("two configs define the same gateway name; rename one (node.cluster picks the gateway)", {
        gateway: outcome.gateway,
        files: [clash.file, outcome.file],
      });
      return;
    }
    if (previous?.gateway && previous.gateway !== outcome.gateway) {
      this.#cache.removeSnapshot(previous.gateway);
      this.#origins.delete(previous.gateway);
      this.#served.delete(previous.gateway);
      this.#metrics.clearSnapshotVersion(previous.gateway);
      this.#log.warn("the config renamed its gateway: proxies of the old name keep their last config, new ones get nothing", {
        file: outcome.file,
        from: previous.gateway,
        to: outcome.gateway,
      });
    }
    if (outcome.ir) {
      const source = { ...outcome, ir: outcome.ir };
      let origins: ResourceOrigins | undefined;
      this.#origins.set(outcome.gateway, () => (origins ??= resourceOrigins(source)));
      this.#served.set(outcome.gateway, { ir: outcome.ir, file: outcome.file, version: outcome.snapshot.version, ...(outcome.locate ? { locate: outcome.locate } : {}) });
    } else {
      this.#origins.delete(outcome.gateway);
      this.#served.delete(outcome.gateway);
    }
    this.#cache.setSnapshot(outcome.gateway, outcome.snapshot);
    logged();
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

  /** Where the config of `gateway` defines a resource of its served snapshot, when known. */
  origin(gateway: string, typeUrl: string, name: string): ResourceOrigin | undefined {
    return this.#origins.get(gateway)?.().get(originKey(typeUrl, name));
  }

  /** Ready when every config has a snapshot being served. */
  ready(): boolean {
    return [...this.#configs.values()].every((config) => config.version !== undefined);
  }

  /** The gateways being served, with the IR their snapshot was translated from. */
  served(): ServedGateway[] {
    return [...this.#served.values()];
  }

  list(): ConfigStatus[] {
    return [...this.#configs.values()];
  }
}
