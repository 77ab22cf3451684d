/**
 * A whole AI gateway for end-to-end tests: fake OpenAI and Anthropic providers, the AI processor
 * in this process, and a real Envoy running the compiled config, all on ephemeral 127.0.0.1 ports.
 */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { AiGateways } from "../../src/ai/gateways.ts";
import { type AiProcessor, startAiProcessor } from "../../src/ai/processor-server.ts";
import type { UsageRecord } from "../../src/ai/usage.ts";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import { silentLogger } from "../../src/server/log.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { type RunningEnvoy, startEnvoy } from "./envoy.ts";
import { type FakeAnthropic, startFakeAnthropic } from "./fake-providers/anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "./fake-providers/openai.ts";
import { freePorts } from "./ports.ts";

export interface AiGatewayUnderTest {
  readonly port: number;
  /** `http://127.0.0.1:<port>/ai/v1` */
  readonly baseUrl: string;
  readonly keys: { readonly alice: string; readonly bob: string; readonly openai: string; readonly anthropic: string };
  readonly openai: FakeOpenAi;
  readonly anthropic: FakeAnthropic;
  readonly envoy: RunningEnvoy;
  readonly processor: AiProcessor;
  readonly usage: UsageRecord[];
  /** The official OpenAI client on the gateway, with a caller's gateway key (alice's by default), without retries. */
  client(apiKey?: string): OpenAI;
  stop(): Promise<void>;
}

const secret = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;

/** Config of the gateway under test: two providers on fake servers, an API-key identity read from Authorization. */
export function aiGatewayConfig(ports: { listener: number; processor: number | string; openai: number; anthropic: number }): GatewayConfig {
  const plaintext = { reason: "fake provider on the loopback interface" };
  return {
    gateway: { name: "ai-e2e", listeners: [{ name: "web", address: "127.0.0.1", port: ports.listener, hostnames: ["*"] }] },
    identities: {
      apps: {
        type: "apiKey",
        // Where OpenAI clients put their key: Authorization: Bearer <key>.
        from: { header: "authorization" },
        consumers: [
          { name: "alice", team: "red", keys: { env: "ALICE_KEYS" } },
          { name: "bob", keys: { env: "BOB_KEYS" } },
        ],
      },
    },
    providers: {
      oai: { type: "openai", baseUrl: `http://127.0.0.1:${ports.openai}/v1`, apiKey: { env: "OPENAI_KEY" }, plaintext },
      claude: { type: "anthropic", baseUrl: `http://127.0.0.1:${ports.anthropic}`, apiKey: { env: "ANTHROPIC_KEY" }, plaintext },
    },
    ai: {
      access: { allow: [{ identity: "apps" }] },
      processor: { address: typeof ports.processor === "string" ? ports.processor : `127.0.0.1:${ports.processor}` },
      models: {
        fast: { targets: [{ provider: "oai", model: "gpt-4o-mini" }], maxTokens: 50 },
        smart: { targets: [{ provider: "claude", model: "claude-sonnet-4-5" }] },
      },
    },
  };
}

/** Starts it all; `socket` puts the processor on that unix socket instead of a loopback port. */
export async function startAiGateway(options: { socket?: string } = {}): Promise<AiGatewayUnderTest> {
  const keys = { alice: secret("gw-alice-"), bob: secret("gw-bob-"), openai: secret("sk-proj-"), anthropic: secret("sk-ant-api03-") };
  const openai = await startFakeOpenAi({ apiKey: keys.openai });
  const anthropic = await startFakeAnthropic({ apiKey: keys.anthropic });
  const [listener, processorPort] = await freePorts(2);
  const usage: UsageRecord[] = [];
  const gateways = new AiGateways();
  const processor = await startAiProcessor({
    address: options.socket ? { kind: "unix", path: options.socket } : { kind: "tcp", host: "127.0.0.1", port: processorPort! },
    gateways,
    deps: { usage: { record: (entry) => void usage.push(entry) }, price: (_provider, _model, tokens) => (tokens.inputTokens + tokens.outputTokens) / 1_000_000 },
    log: silentLogger,
  });
  const config = aiGatewayConfig({ listener: listener!, processor: options.socket ? `unix:${options.socket}` : processor.port, openai: openai.port, anthropic: anthropic.port });
  const env = { ALICE_KEYS: keys.alice, BOB_KEYS: keys.bob, OPENAI_KEY: keys.openai, ANTHROPIC_KEY: keys.anthropic };
  const { snapshot, ir, diagnostics } = compileGateway(config, undefined, { env });
  if (!snapshot || !ir) throw new Error(`the AI gateway config does not compile: ${JSON.stringify(diagnostics)}`);
  gateways.apply(ir);
  const envoy = await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot)) as Record<string, unknown> });
  const baseUrl = `http://127.0.0.1:${listener}/ai/v1`;
  return {
    port: listener!,
    baseUrl,
    client: (apiKey = keys.alice) => new OpenAI({ apiKey, baseURL: baseUrl, maxRetries: 0 }),
    keys,
    openai,
    anthropic,
    envoy,
    processor,
    usage,
    stop: async () => {
      await envoy.stop();
      await processor.close();
      await openai.close();
      await anthropic.close();
    },
  };
}
