/** Prometheus metrics of the control plane, on a registry of its own (no global state). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type StreamMode = "sotw" | "delta";

export class ControlPlaneMetrics {
  readonly registry = new Registry();
  readonly streams = new Gauge({ name: "portcullis_xds_streams", help: "Connected ADS streams", labelNames: ["mode"], registers: [this.registry] });
  readonly subscriptions = new Gauge({
    name: "portcullis_xds_subscriptions",
    help: "Resource types subscribed on connected ADS streams",
    labelNames: ["type", "mode"],
    registers: [this.registry],
  });
  readonly pushes = new Counter({ name: "portcullis_xds_pushes_total", help: "Responses sent", labelNames: ["type", "mode"], registers: [this.registry] });
  readonly unwritten = new Gauge({
    name: "portcullis_xds_unwritten_responses",
    help: "Responses sent on ADS streams that the transport has not taken yet (a client reading slowly or not at all); at most one per type and stream",
    labelNames: ["type", "mode"],
    registers: [this.registry],
  });
  readonly deferred = new Gauge({
    name: "portcullis_xds_deferred_types",
    help: "Types due on ADS streams that wait for the stream to take what it was sent; each gets its latest state then",
    labelNames: ["type", "mode"],
    registers: [this.registry],
  });
  readonly acks = new Counter({ name: "portcullis_xds_acks_total", help: "Responses ACKed", labelNames: ["type", "mode"], registers: [this.registry] });
  readonly nacks = new Counter({ name: "portcullis_xds_nacks_total", help: "Responses NACKed", labelNames: ["type", "mode"], registers: [this.registry] });
  readonly pushToAck = new Histogram({
    name: "portcullis_xds_push_to_ack_seconds",
    help: "Time from sending a response to its ACK or NACK",
    labelNames: ["type", "mode"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly snapshotInfo = new Gauge({
    name: "portcullis_snapshot_info",
    help: "The snapshot version served per gateway (value is always 1)",
    labelNames: ["gateway", "version"],
    registers: [this.registry],
  });
  readonly compileErrors = new Gauge({
    name: "portcullis_compile_errors",
    help: "Error diagnostics of the last compile, per config file",
    labelNames: ["file"],
    registers: [this.registry],
  });

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "portcullis_" });
  }

  readonly #servedVersions = new Map<string, string>();

  setSnapshotVersion(gateway: string, version: string): void {
    const previous = this.#servedVersions.get(gateway);
    if (previous !== undefined) this.snapshotInfo.remove({ gateway, version: previous });
    this.#servedVersions.set(gateway, version);
    this.snapshotInfo.set({ gateway, version }, 1);
  }

  /** The gateway is no longer served (its config renamed it). */
  clearSnapshotVersion(gateway: string): void {
    const previous = this.#servedVersions.get(gateway);
    if (previous !== undefined) this.snapshotInfo.remove({ gateway, version: previous });
    this.#servedVersions.delete(gateway);
  }
}
