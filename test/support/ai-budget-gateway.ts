/**
 * AI gateways for the budget tests: one or more replicas, each a real Envoy with its own AI
 * processor (the `AiProcessors` that serve and processor run, with a usage database), in front of
 * one fake OpenAI. Budgets change nothing in Envoy's config, so `apply` hands the processors a
 * recompiled config with other budgets while Envoy keeps running.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { AiProcessors } from "../../src/ai/processors.ts";
import { compileGateway } from "../../src/compile.ts";
import type { AiGateway, GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { silentLogger } from "../../src/server/log.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { aiGatewayConfig } from "./ai-gateway.ts";
import { type RunningEnvoy, startEnvoy } from "./envoy.ts";
import { type FakeOpenAi, startFakeOpenAi } from "./fake-providers/openai.ts";
import { freePorts } from "./ports.ts";

/** What a test may set in the `ai` section. */
export type BudgetSettings = Pick<AiGateway, "budgets" | "rateLimits" | "budgetStore">;

interface Replica {
  readonly ports: { readonly listener: number; readonly processor: number };
  readonly usageDb: string;
  envoy?: RunningEnvoy;
  processors: AiProcessors;
  ir?: GatewayIR;
}

export interface BudgetGateway {
  readonly openai: FakeOpenAi;
  readonly keys: { readonly alice: string; readonly bob: string };
  /** The usage database of a replica (its in-memory budget counters are written behind there too). */
  usageDb(replica?: number): string;
  /** The official client, calling a replica as a consumer. */
  client(consumer: "alice" | "bob", replica?: number): OpenAI;
  /** Recompiles with these budgets and hands the config to every replica's processor. */
  apply(settings: BudgetSettings): Promise<void>;
  /** Stops a replica's processor (flushing its counters) and starts a new one on the same database. */
  restartProcessor(replica?: number): Promise<void>;
  stop(): Promise<void>;
}

const secret = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;

export async function startBudgetGateway(options: { replicas?: number; env?: Record<string, string> } = {}): Promise<BudgetGateway> {
  const keys = { alice: secret("gw-alice-"), bob: secret("gw-bob-"), openai: secret("sk-proj-") };
  const env = { ALICE_KEYS: keys.alice, BOB_KEYS: keys.bob, OPENAI_KEY: keys.openai, ANTHROPIC_KEY: "sk-ant-unused", ...options.env };
  const openai = await startFakeOpenAi({ apiKey: keys.openai });
  const dir = mkdtempSync(join(tmpdir(), "portcullis-ai-budgets-"));
  const replicas: Replica[] = [];
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    const [listener, processor] = await freePorts(2);
    const usageDb = join(dir, `usage-${i}.db`);
    replicas.push({ ports: { listener: listener!, processor: processor! }, usageDb, processors: new AiProcessors({ log: silentLogger, usage: usageDb }) });
  }

  function compile(replica: Replica, settings: BudgetSettings) {
    const base = aiGatewayConfig({ ...replica.ports, openai: openai.port, anthropic: openai.port });
    const config: GatewayConfig = { ...base, ai: { ...base.ai!, ...settings } };
    const { snapshot, ir, diagnostics } = compileGateway(config, undefined, { env });
    if (!snapshot || !ir) throw new Error(`the budget gateway config does not compile: ${JSON.stringify(diagnostics)}`);
    return { snapshot, ir };
  }

  async function apply(settings: BudgetSettings): Promise<void> {
    for (const replica of replicas) {
      const { snapshot, ir } = compile(replica, settings);
      replica.ir = ir;
      await replica.processors.apply({ file: "gateway.config.ts", ir });
      replica.envoy ??= await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot)) as Record<string, unknown> });
    }
  }

  await apply({});
  return {
    openai,
    keys,
    usageDb: (replica = 0) => replicas[replica]!.usageDb,
    client: (consumer, replica = 0) => new OpenAI({ baseURL: `http://127.0.0.1:${replicas[replica]!.ports.listener}/ai/v1`, apiKey: keys[consumer], maxRetries: 0 }),
    apply,
    async restartProcessor(index = 0) {
      const replica = replicas[index]!;
      await replica.processors.close();
      replica.processors = new AiProcessors({ log: silentLogger, usage: replica.usageDb });
      await replica.processors.apply({ file: "gateway.config.ts", ir: replica.ir! });
    },
    async stop() {
      for (const replica of replicas) {
        await replica.envoy?.stop();
        await replica.processors.close();
      }
      await openai.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
