/**
 * The audit trail a `serve` or `up` run keeps: the store of each gateway's `audit.store`, an
 * access-log receiver on each loopback address a gateway's `audit.receiver` names (another address
 * is a fleet's own `portcullis audit-receiver`), every config the control plane starts serving
 * with its provenance, and each rollout step per node (queued by the store: write-behind).
 */
import { PerAddressServices } from "../grpc/per-address-services.ts";
import { grpcAddress } from "../grpc/server.ts";
import type { ControlPlane } from "../server/control-plane.ts";
import type { Logger } from "../server/log.ts";
import type { RolloutEvent } from "../server/node-status.ts";
import { isLoopbackHost } from "../server/peer-address.ts";
import type { GatewayIR } from "../model/ir.ts";
import { provenance } from "./provenance.ts";
import { type AuditReceiver, startAuditReceiver } from "./receiver.ts";
import { auditGateway } from "./gateway.ts";
import type { AuditGateway } from "./record.ts";
import { AuditStore } from "./store.ts";

interface Served {
  readonly store: AuditStore;
  readonly gateway: AuditGateway;
}

/** What the trail reads of a compile (see src/compile.ts). */
export interface AuditedCompile {
  readonly file: string;
  readonly ir?: GatewayIR | undefined;
  readonly files?: readonly string[] | undefined;
}

export class AuditTrail {
  readonly #log: Logger;
  readonly #plane: Pick<ControlPlane, "configs" | "nodes">;
  readonly #stores = new Map<string, AuditStore>();
  readonly #gateways = new Map<string, Served>();
  readonly #receivers: PerAddressServices<AuditReceiver>;
  /** Provenance work in flight, so close() writes it before the stores close. */
  readonly #pending = new Set<Promise<void>>();

  constructor(log: Logger, plane: Pick<ControlPlane, "configs" | "nodes">) {
    this.#log = log;
    this.#plane = plane;
    this.#receivers = new PerAddressServices("audit receiver", log);
    plane.nodes.observe((event) => this.#rollout(event));
  }

  /**
   * Takes a compile the control plane was given. A receiver that cannot listen where the config
   * says is logged, not fatal: the gateway serves on and its Envoys drop (and count) their records,
   * as they do whenever the receiver is down.
   */
  async apply(outcome: AuditedCompile): Promise<void> {
    const ir = outcome.ir;
    if (!ir) return;
    const settings = ir.accessLog.store;
    if (!settings) {
      this.#gateways.delete(ir.name);
      return this.#receivers.use(ir.name, undefined);
    }
    const store = this.#storeFor(settings.file, settings.retentionMs);
    this.#gateways.set(ir.name, { store, gateway: auditGateway(ir) });
    this.#recordChange(outcome, ir.name, store);
    const { host, port } = settings.receiver;
    const address = grpcAddress(host, port);
    const local = isLoopbackHost(host);
    if (!local) this.#log.info("access logs go to the audit receiver the config names, not here", { gateway: ir.name, address });
    await this.#receivers
      .use(ir.name, local ? { address, start: () => startAuditReceiver({ host, port, gateway: (name) => this.#gateways.get(name), log: this.#log }) } : undefined)
      .catch((error: Error) => this.#log.error("the audit receiver cannot start: this gateway's access logs are dropped by its Envoys until it can", { gateway: ir.name, error: error.message }));
  }

  /** The addresses receivers listen on, sorted. */
  addresses(): string[] {
    return this.#receivers.addresses();
  }

  #storeFor(file: string, retentionMs: number): AuditStore {
    let store = this.#stores.get(file);
    if (!store) {
      store = new AuditStore(file, { retentionMs, onError: (error) => this.#log.error("cannot write the audit store", { file, error: error.message }) });
      this.#stores.set(file, store);
    }
    store.retentionMs = retentionMs;
    return store;
  }

  /** Records the config once the registry serves its snapshot (serve-time checks may still refuse it). */
  #recordChange(outcome: AuditedCompile, gateway: string, store: AuditStore): void {
    const served = this.#plane.configs.list().find((config) => config.file === outcome.file);
    if (!served?.upToDate || !served.version) return;
    const version = served.version;
    const time = new Date().toISOString();
    const work = provenance(outcome.file, outcome.files ?? []).then((found) => {
      const last = store.lastConfigChange(gateway);
      if (last?.version === version && last.configHash === found.configHash) return;
      store.addConfigChange({ time, gateway, version, file: outcome.file, ...found });
    });
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  #rollout(event: RolloutEvent): void {
    this.#gateways.get(event.gateway)?.store.addRollout(event);
  }

  async close(): Promise<void> {
    this.#plane.nodes.observe(undefined);
    await this.#receivers.close();
    await Promise.allSettled([...this.#pending]);
    for (const store of this.#stores.values()) store.close();
    this.#stores.clear();
  }
}
