/**
 * The rate-limit services a `serve` or `up` run keeps: one gRPC server per address some gateway's
 * `gateway.rateLimitService` names on this machine's loopback interface, all counting in one store,
 * kept in step with every successful compile. An address elsewhere belongs to a fleet's own
 * `portcullis ratelimit-service`, so nothing is started for it.
 */
import { isLoopbackHost } from "../server/peer-address.ts";
import type { GatewayIR } from "../model/ir.ts";
import type { Logger } from "../server/log.ts";
import type { CounterStore } from "./counters.ts";
import { type RunningRateLimitService, startRateLimitService } from "./server.ts";

export class RateLimitServices {
  readonly #log: Logger;
  readonly #store: () => Promise<CounterStore>;
  #opened: Promise<CounterStore> | undefined;
  readonly #servers = new Map<string, Promise<RunningRateLimitService>>();
  /** Gateway name → the address its limits are counted at. */
  readonly #addresses = new Map<string, string>();

  /** `store` opens the counters on first need (Redis is only reached when some gateway has a global limit). */
  constructor(log: Logger, store: () => Promise<CounterStore>) {
    this.#log = log;
    this.#store = store;
  }

  /** Takes a compile's IR; rejects (a UserError) when the service cannot listen where the config says. */
  async apply(outcome: { readonly ir?: GatewayIR | undefined }): Promise<void> {
    const ir = outcome.ir;
    if (!ir) return;
    const service = ir.rateLimitService;
    const local = service && isLoopbackHost(service.host);
    const address = service && `${service.host.includes(":") ? `[${service.host}]` : service.host}:${service.port}`;
    if (service && !local) this.#log.info("rate limits are counted by the rate-limit service the config names, not here", { gateway: ir.name, address });
    if (address && local) this.#addresses.set(ir.name, address);
    else this.#addresses.delete(ir.name);
    await this.#stopUnused();
    if (!service || !local || !address || this.#servers.has(address)) return;
    this.#opened ??= this.#store();
    const starting = this.#opened.then((store) => startRateLimitService({ host: service.host, port: service.port, store, log: this.#log }));
    this.#servers.set(address, starting);
    try {
      await starting;
      this.#log.info("rate-limit service ready", { address, gateway: ir.name });
    } catch (error) {
      this.#servers.delete(address);
      throw error;
    }
  }

  /** The addresses services listen on, sorted. */
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
    await Promise.all(servers.map(async (server) => (await server.catch(() => undefined))?.close()));
    await (await this.#opened?.catch(() => undefined))?.close();
  }
}
