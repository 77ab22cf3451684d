/**
 * The AI processors a `serve`, `up` or `processor` run keeps: one gRPC server per address that
 * some gateway's `ai.processor` names, all sharing one registry of gateways, kept in step with
 * every successful compile. A broken edit (no IR) changes nothing, like the control plane.
 */
import type { GatewayIR } from "../model/ir.ts";
import type { Logger } from "../server/log.ts";
import { AiGateways } from "./gateways.ts";
import { type AiProcessor, startAiProcessor } from "./processor-server.ts";
import type { UsageSink } from "./usage.ts";
import { UsageStore } from "./usage-store.ts";

export interface AiProcessorsOptions {
  readonly log: Logger;
  /** Where usage is recorded: a SQLite file (created with the first processor), or a sink of the caller's. */
  readonly usage: string | UsageSink;
}

const addressOf = (ir: GatewayIR) => ir.ai && { host: ir.ai.processor.host, port: ir.ai.processor.port, text: `${ir.ai.processor.host.includes(":") ? `[${ir.ai.processor.host}]` : ir.ai.processor.host}:${ir.ai.processor.port}` };

export class AiProcessors {
  readonly gateways = new AiGateways();
  readonly #options: AiProcessorsOptions;
  readonly #servers = new Map<string, Promise<AiProcessor>>();
  /** Gateway name → the address its processor listens on. */
  readonly #addresses = new Map<string, string>();
  #store: UsageStore | undefined;

  constructor(options: AiProcessorsOptions) {
    this.#options = options;
  }

  /** Takes a compile's IR; rejects (a UserError) when a processor cannot listen where the config says. */
  async apply(outcome: { readonly file: string; readonly ir?: GatewayIR | undefined }): Promise<void> {
    const ir = outcome.ir;
    if (!ir) return;
    this.gateways.apply(ir);
    const address = addressOf(ir);
    if (address) this.#addresses.set(ir.name, address.text);
    else this.#addresses.delete(ir.name);
    await this.#stopUnused();
    if (!address || this.#servers.has(address.text)) return;
    const starting = startAiProcessor({ host: address.host, port: address.port, gateways: this.gateways, deps: { usage: this.#usage() }, log: this.#options.log });
    this.#servers.set(address.text, starting);
    try {
      await starting;
      this.#options.log.info("AI processor ready", { address: address.text, gateway: ir.name });
    } catch (error) {
      this.#servers.delete(address.text);
      throw error;
    }
  }

  #usage(): UsageSink {
    const usage = this.#options.usage;
    if (typeof usage !== "string") return usage;
    this.#store ??= new UsageStore(usage, (error) => this.#options.log.error("usage records could not be written; they are kept and tried again", { error: error.message }));
    return this.#store;
  }

  /** The addresses processors listen on, sorted. */
  addresses(): string[] {
    return [...this.#servers.keys()].sort();
  }

  async #stopUnused(): Promise<void> {
    const used = new Set(this.#addresses.values());
    for (const [address, server] of this.#servers) {
      if (used.has(address)) continue;
      this.#servers.delete(address);
      await (await server).close();
    }
  }

  async close(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(servers.map(async (server) => (await server).close()));
    this.#store?.close();
    this.#store = undefined;
  }
}
