/**
 * The rate-limit services a `serve` or `up` run keeps: one gRPC server per address some gateway's
 * `gateway.rateLimitService` names on this machine's loopback interface, all counting in one store,
 * kept in step with every successful compile. An address elsewhere belongs to a fleet's own
 * `portcullis ratelimit-service`, so nothing is started for it.
 */
import { PerAddressServices } from "../grpc/per-address-services.ts";
import { grpcAddress } from "../grpc/server.ts";
import type { GatewayIR } from "../model/ir.ts";
import type { Logger } from "../server/log.ts";
import { isLoopbackHost } from "../server/peer-address.ts";
import type { CounterStore } from "./counters.ts";
import { type RunningRateLimitService, startRateLimitService } from "./server.ts";

export class RateLimitServices {
  readonly #log: Logger;
  readonly #store: () => Promise<CounterStore>;
  #opened: Promise<CounterStore> | undefined;
  readonly #servers: PerAddressServices<RunningRateLimitService>;

  /** `store` opens the counters on first need (Redis is only reached when some gateway has a global limit). */
  constructor(log: Logger, store: () => Promise<CounterStore>) {
    this.#log = log;
    this.#store = store;
    this.#servers = new PerAddressServices("rate-limit service", log);
  }

  /** Takes a compile's IR; rejects (a UserError) when the service cannot listen where the config says. */
  async apply(outcome: { readonly ir?: GatewayIR | undefined }): Promise<void> {
    const ir = outcome.ir;
    if (!ir) return;
    const service = ir.rateLimitService;
    const local = service && isLoopbackHost(service.host) ? service : undefined;
    if (service && !local) this.#log.info("rate limits are counted by the rate-limit service the config names, not here", { gateway: ir.name, address: grpcAddress(service.host, service.port) });
    await this.#servers.use(
      ir.name,
      local && {
        address: grpcAddress(local.host, local.port),
        start: async () => {
          this.#opened ??= this.#store();
          return startRateLimitService({ host: local.host, port: local.port, store: await this.#opened, log: this.#log });
        },
      },
    );
  }

  /** The addresses services listen on, sorted. */
  addresses(): string[] {
    return this.#servers.addresses();
  }

  async close(): Promise<void> {
    await this.#servers.close();
    await (await this.#opened?.catch(() => undefined))?.close();
  }
}
