/**
 * The AI processors a `serve`, `up` or `processor` run keeps: one gRPC server per address that
 * some gateway's `ai.processor` names, all sharing one registry of gateways, kept in step with
 * every successful compile. A broken edit (no IR) changes nothing, like the control plane.
 */
import { PerAddressServices } from "../grpc/per-address-services.ts";
import { grpcAddress } from "../grpc/server.ts";
import type { AiProcessorAddressIR, GatewayIR } from "../model/ir.ts";
import type { Logger } from "../server/log.ts";
import { McpAuditStore } from "../mcp/audit-store.ts";
import { McpGateways } from "../mcp/gateways.ts";
import { BudgetLedgers } from "./budgets/ledgers.ts";
import { AiGateways } from "./gateways.ts";
import { type AiProcessor, startAiProcessor } from "./processor-server.ts";
import type { UsageSink } from "./usage.ts";
import { UsageStore } from "./usage-store.ts";

export interface AiProcessorsOptions {
  readonly log: Logger;
  /** Where usage is recorded: a SQLite file (created with the first processor), or a sink of the caller's. */
  readonly usage: string | UsageSink;
}

/** The address as written in a config: `host:port` (`[::1]:port`) or `unix:/path`; it keys the servers. */
export function processorAddressText(address: AiProcessorAddressIR): string {
  if (address.kind === "unix") return `unix:${address.path}`;
  return grpcAddress(address.host, address.port);
}

export class AiProcessors {
  readonly gateways = new AiGateways();
  readonly mcpGateways = new McpGateways();
  readonly #options: AiProcessorsOptions;
  readonly #servers: PerAddressServices<AiProcessor>;
  #store: UsageStore | undefined;
  #mcpAuditStore: McpAuditStore | undefined;
  #budgets: BudgetLedgers | undefined;

  constructor(options: AiProcessorsOptions) {
    this.#options = options;
    this.#servers = new PerAddressServices("AI processor", options.log);
  }

  /** Takes a compile's IR; rejects (a UserError) when a processor cannot listen where the config says. */
  async apply(outcome: { readonly file: string; readonly ir?: GatewayIR | undefined }): Promise<void> {
    const ir = outcome.ir;
    if (!ir) return;
    this.gateways.apply(ir);
    this.mcpGateways.apply(ir);
    // One processor serves both: MCP alone uses the address the AI section would have.
    const address = ir.ai?.processor.address ?? ir.mcp?.processor.address;
    await this.#servers.use(
      ir.name,
      address && {
        address: processorAddressText(address),
        start: () => startAiProcessor({ address, gateways: this.gateways, mcp: { gateways: this.mcpGateways, ...this.#mcpAudit() }, deps: { usage: this.#usage(), budgets: this.#ledgers(), onOverrun: (overrun) => this.#options.log.warn("request let through past an audit-mode budget", overrun) }, log: this.#options.log }),
      },
    );
  }

  #usage(): UsageSink {
    const usage = this.#options.usage;
    if (typeof usage !== "string") return usage;
    this.#store ??= new UsageStore(usage, (error) => this.#options.log.error("usage records could not be written; they are kept and tried again", { error: error.message }));
    return this.#store;
  }

  #ledgers(): BudgetLedgers {
    const { usage, log } = this.#options;
    // In-memory counters are written behind to the usage database; with a caller's sink, they stay in memory.
    const file = typeof usage === "string" ? usage : undefined;
    this.#budgets ??= new BudgetLedgers({
      ...(file ? { file } : {}),
      onError: (error) => log.error("budget counters could not be written or read; requests are refused while a shared store is unreachable", { error: error.message }),
    });
    return this.#budgets;
  }

  /** MCP tool calls are audited in the usage database, when usage goes to a file. */
  #mcpAudit(): { audit?: McpAuditStore } {
    const usage = this.#options.usage;
    if (typeof usage !== "string") return {};
    this.#mcpAuditStore ??= new McpAuditStore(usage, (error) => this.#options.log.error("MCP audit records could not be written; they are kept and tried again", { error: error.message }));
    return { audit: this.#mcpAuditStore };
  }

  /** The addresses processors listen on, sorted. */
  addresses(): string[] {
    return this.#servers.addresses();
  }

  async close(): Promise<void> {
    await this.#servers.close();
    this.#store?.close();
    this.#store = undefined;
    this.#mcpAuditStore?.close();
    this.#mcpAuditStore = undefined;
    await this.#budgets?.close();
    this.#budgets = undefined;
  }
}
