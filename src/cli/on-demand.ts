import type { GatewayIR } from "../model/ir.ts";

/** A service `serve` runs beside the control plane, kept in step with every compile. */
export interface CompileService<Outcome> {
  apply(outcome: Outcome): Promise<void>;
  /** The addresses it listens on, sorted. */
  addresses(): string[];
  close(): Promise<void>;
}

/**
 * A service loaded, with its modules, on the first compile whose gateway needs it: a control plane
 * whose gateways have no AI, MCP or global rate limit never loads the processors, their SQLite
 * stores or the Redis client. Once loaded it takes every compile, so it also sees a gateway drop
 * the section again.
 */
export class OnDemand<Outcome extends { readonly ir?: GatewayIR | undefined }, Service extends CompileService<Outcome>> implements CompileService<Outcome> {
  readonly #needs: (ir: GatewayIR) => boolean;
  readonly #load: () => Promise<Service>;
  #loading: Promise<Service> | undefined;
  #loaded: Service | undefined;

  constructor(needs: (ir: GatewayIR) => boolean, load: () => Promise<Service>) {
    this.#needs = needs;
    this.#load = load;
  }

  async apply(outcome: Outcome): Promise<void> {
    if (!this.#loading) {
      if (!outcome.ir || !this.#needs(outcome.ir)) return;
      this.#loading = this.#load().then((service) => (this.#loaded = service));
    }
    await (await this.#loading).apply(outcome);
  }

  addresses(): string[] {
    return this.#loaded?.addresses() ?? [];
  }

  async close(): Promise<void> {
    await (await this.#loading)?.close();
  }
}
