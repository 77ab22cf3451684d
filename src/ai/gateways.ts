/**
 * What the processor knows of each gateway it serves, rebuilt from the IR on every successful
 * compile (so `serve --watch` edits apply to the next request) and looked up per ext_proc stream
 * by the gateway name Envoy sends in the stream's metadata.
 */
import type { AiBudgetIR, AiBudgetStoreIR, AiModelIR, AiProviderIR, GatewayIR, IdentityHeadersIR } from "../model/ir.ts";
import { consumerTeams } from "../model/teams.ts";
import { type CompiledPrompt, compilePrompts } from "./prompts/prompt-call.ts";

export interface AiGatewayRuntime {
  readonly name: string;
  readonly basePath: string;
  readonly routeHeader: string;
  readonly models: ReadonlyMap<string, AiModelIR>;
  readonly providers: ReadonlyMap<string, AiProviderIR>;
  readonly identityHeaders: IdentityHeadersIR;
  /** API-key consumer → team, for usage records and team budgets. */
  readonly teams: ReadonlyMap<string, string>;
  readonly budgets: readonly AiBudgetIR[];
  readonly budgetStore: AiBudgetStoreIR;
  /** Prompt APIs by path, their schemas compiled once per config. */
  readonly prompts: ReadonlyMap<string, CompiledPrompt>;
}

export function aiRuntime(ir: GatewayIR): AiGatewayRuntime | undefined {
  const ai = ir.ai;
  if (!ai) return undefined;
  return {
    name: ir.name,
    basePath: ai.basePath,
    routeHeader: ai.routeHeader,
    models: new Map(ai.models.map((model) => [model.alias, model])),
    providers: new Map(ai.providers.map((provider) => [provider.name, provider])),
    identityHeaders: ir.identityHeaders,
    teams: consumerTeams(ir),
    budgets: ai.budgets,
    budgetStore: ai.budgetStore,
    prompts: compilePrompts(ai.prompts),
  };
}

/** The gateways one processor serves, by name. */
export class AiGateways {
  readonly #byName = new Map<string, AiGatewayRuntime>();

  /** Takes the AI part of a freshly compiled gateway; one without an `ai` section is dropped. */
  apply(ir: GatewayIR): void {
    const runtime = aiRuntime(ir);
    if (runtime) this.#byName.set(ir.name, runtime);
    else this.#byName.delete(ir.name);
  }

  get(name: string): AiGatewayRuntime | undefined {
    return this.#byName.get(name);
  }

  names(): string[] {
    return [...this.#byName.keys()].sort();
  }
}
