/**
 * `portcullis serve` runs the AI processor by default: a real Envoy fed over ADS serves the
 * config's AI API, serve's processor records usage in SQLite and `portcullis usage` reports it.
 * Then `portcullis processor` alone takes over the same address, as a fleet would run it beside
 * each Envoy. No provider key appears in any process's output.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { aiGatewayConfig } from "../support/ai-gateway.ts";
import { type RunningEnvoy, startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-providers/anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../support/fake-providers/openai.ts";
import { freePorts } from "../support/ports.ts";
import { type ServeProcess, startServe } from "../support/serve-process.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-ai-serve-"));
const keys = { ALICE_KEYS: "gw-alice-serve-0123456789", BOB_KEYS: "gw-bob-serve-0123456789", OPENAI_KEY: "sk-proj-serve-secret-4d1b", ANTHROPIC_KEY: "sk-ant-api03-serve-secret-77c2" };
const main = join(process.cwd(), "src", "cli", "main.ts");
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let serve: ServeProcess;
let envoy: RunningEnvoy;
let processor: ChildProcess | undefined;
let baseURL = "";

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: keys.OPENAI_KEY });
  anthropic = await startFakeAnthropic({ apiKey: keys.ANTHROPIC_KEY });
  const [listener, processorPort, xdsPort, adminPort] = await freePorts(4);
  writeFileSync(join(dir, "gateway.yaml"), JSON.stringify(aiGatewayConfig({ listener: listener!, processor: processorPort!, openai: openai.port, anthropic: anthropic.port })));
  serve = await startServe(join(dir, "gateway.yaml"), { xdsPort: xdsPort!, adminPort: adminPort!, extraArgs: ["--usage-db", join(dir, "serve.db")], env: keys });
  envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "ai-edge", cluster: "ai-e2e", xdsPort: xdsPort! }) as Record<string, unknown> });
  baseURL = `http://127.0.0.1:${listener}/ai/v1`;
}, 60_000);

afterAll(async () => {
  await stopAllEnvoys();
  if (serve?.child.exitCode === null) serve.child.kill("SIGKILL");
  processor?.kill("SIGKILL");
  await openai?.close();
  await anthropic?.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new OpenAI({ apiKey: keys.ALICE_KEYS, baseURL, maxRetries: 0 });

/** Retries until the gateway answers: Envoy's listener or a new processor may still be starting. */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

it("serve runs the processor: chat through Envoy, usage recorded and reported", async () => {
  const completion = await eventually(() => client().chat.completions.create({ model: "fast", messages: [{ role: "user", content: "via serve" }] }));
  expect(completion.choices[0]?.message.content).toBe("Echo: via serve");
  const stream = await client().chat.completions.create({ model: "smart", messages: [{ role: "user", content: "streamed via serve" }], stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  expect(text).toBe("Echo: streamed via serve");

  serve.child.kill("SIGTERM");
  expect(await serve.exited).toBe(0);
  const { stdout } = await promisify(execFile)(process.execPath, [main, "usage", "--db", join(dir, "serve.db"), "--by", "model", "--format", "json"]);
  const rows = JSON.parse(stdout) as { key: string; requests: number; outputTokens: number; costUsd: number }[];
  expect(rows.map((row) => [row.key, row.requests, row.outputTokens])).toEqual([["claude/claude-sonnet-4-5", 1, 4], ["oai/gpt-4o-mini", 1, 3]]);
  expect(rows.every((row) => row.costUsd > 0)).toBe(true);
}, 60_000);

it("portcullis processor alone serves the same Envoy on the configured address", async () => {
  processor = spawn(process.execPath, [main, "processor", join(dir, "gateway.yaml"), "--usage-db", join(dir, "processor.db"), "--log-format", "json"], { env: { ...process.env, ...keys }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  processor.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  processor.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // Envoy keeps the config it got from serve; only the processor behind it is new.
  const completion = await eventually(() => client().chat.completions.create({ model: "smart", messages: [{ role: "user", content: "via processor" }] }));
  expect(completion.choices[0]?.message.content).toBe("Echo: via processor");
  expect(output).toContain("AI processor ready");
  processor.kill("SIGTERM");
  await new Promise((resolve) => processor!.once("exit", resolve));
  for (const key of Object.values(keys)) {
    expect(output).not.toContain(key);
    expect(serve.output()).not.toContain(key);
    expect(envoy.output()).not.toContain(key);
  }
}, 60_000);
