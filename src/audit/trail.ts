/**
 * The audit trail a `serve` or `up` run keeps: the store of each gateway's `audit.store`, an
 * access-log receiver on each loopback address a gateway's `audit.receiver` names (another address
 * is a fleet's own `portcullis audit-receiver`), every config the control plane starts serving
 * with its provenance, and each rollout step per node (queued by the store: write-behind).
 */
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
  readonly #receivers = new Map<string, Promise<AuditReceiver>>();
  /** Gateway name → the receiver address it logs to, when that is here. */
  readonly #addresses = new Map<string, string>();
  /** Provenance work in flight, so close() writes it before the stores close. */
  readonly #pending = new Set<Promise<void>>();

  constructor(log: Logger, plane: Pick<ControlPlane, "configs" | "nodes">) {
    this.#log = log;
    this.#plane = plane;
    plane.nodes.observe((event) => this.#rollout(event));
  }

  /**
   * Takes a compile the control plane was given. A receiver that cannot listen where the config
   * says is logged, not fatal: the gateway serves on and its Envoys drop (and count) their records,
   * as they do whenever the receiver is down.
   */
  async apply(outcome: AuditedCompile): Promise<void> {
    const ir = outcome.ir;
    const settings = ir?.accessLog.store;
    if (!ir || !settings) {
      if (ir) this.#forget(ir.name);
      return this.#stopUnused();
    }
    const store = this.#storeFor(settings.file, settings.retentionMs);
    this.#gateways.set(ir.name, { store, gateway: auditGateway(ir) });
    this.#recordChange(outcome, ir.name, store);
    const { host, port } = settings.receiver;
    const address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (isLoopbackHost(host)) this.#addresses.set(ir.name, address);
    else {
      this.#addresses.delete(ir.name);
      this.#log.info("access logs go to the audit receiver the config names, not here", { gateway: ir.name, address });
    }
    await this.#stopUnused();
    if (!isLoopbackHost(host) || this.#receivers.has(address)) return;
    const starting = startAuditReceiver({ host, port, gateway: (name) => this.#gateways.get(name), log: this.#log });
    this.#receivers.set(address, starting);
    try {
      await starting;
      this.#log.info("audit receiver ready", { address, gateway: ir.name, store: settings.file });
    } catch (error) {
      this.#receivers.delete(address);
      this.#log.error("the audit receiver cannot start: this gateway's access logs are dropped by its Envoys until it can", { gateway: ir.name, error: (error as Error).message });
    }
  }

  /** The addresses receivers listen on, sorted. */
  addresses(): string[] {
    return [...this.#receivers.keys()].sort();
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

  #forget(gateway: string): void {
    this.#gateways.delete(gateway);
    this.#addresses.delete(gateway);
  }

  async #stopUnused(): Promise<void> {
    const used = new Set(this.#addresses.values());
    for (const [address, receiver] of this.#receivers) {
      if (used.has(address)) continue;
      this.#receivers.delete(address);
      await (await receiver).close();
    }
  }

  async close(): Promise<void> {
    this.#plane.nodes.observe(undefined);
    const receivers = [...this.#receivers.values()];
    this.#receivers.clear();
    await Promise.all(receivers.map(async (receiver) => (await receiver.catch(() => undefined))?.close()));
    await Promise.allSettled([...this.#pending]);
    for (const store of this.#stores.values()) store.close();
    this.#stores.clear();
  }
}
