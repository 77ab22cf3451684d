/**
 * One server per address that some gateway's config names, started when a compile first names the
 * address and stopped when no gateway names it any more (the AI processors, the local rate-limit
 * services, the audit receivers). Addresses are keys as written (`host:port`, `[::1]:port`, `unix:/path`).
 */
import type { Logger } from "../server/log.ts";

export interface StoppableServer {
  close(): Promise<void>;
}

export class PerAddressServices<Server extends StoppableServer> {
  readonly #what: string;
  readonly #log: Logger;
  readonly #servers = new Map<string, Promise<Server>>();
  /** Gateway name → the address its server listens on. */
  readonly #addresses = new Map<string, string>();

  /** `what` names the server in log lines: "AI processor", "rate-limit service". */
  constructor(what: string, log: Logger) {
    this.#what = what;
    this.#log = log;
  }

  /**
   * Records which server `gateway` uses (undefined: none on this machine), stops servers no gateway
   * uses any longer and starts this one if it is not running; rejects with `start`'s error (a
   * UserError when it cannot listen), leaving nothing behind for the address.
   */
  async use(gateway: string, wanted: { readonly address: string; readonly start: () => Promise<Server> } | undefined): Promise<void> {
    if (wanted) this.#addresses.set(gateway, wanted.address);
    else this.#addresses.delete(gateway);
    await this.#stopUnused();
    if (!wanted || this.#servers.has(wanted.address)) return;
    const { address } = wanted;
    const starting = wanted.start();
    this.#servers.set(address, starting);
    try {
      await starting;
      this.#log.info(`${this.#what} ready`, { address, gateway });
    } catch (error) {
      this.#servers.delete(address);
      throw error;
    }
  }

  /** The addresses servers listen on, sorted. */
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
  }
}
