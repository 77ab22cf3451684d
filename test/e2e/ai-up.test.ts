/**
 * `portcullis up` on a config with an `ai` section runs the AI processor beside its control plane
 * and Envoy: the official openai client gets an answer through the gateway; and up refuses to
 * start when the processor's address is taken, naming it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { aiGatewayConfig } from "../support/ai-gateway.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-providers/anthropic.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../support/fake-providers/openai.ts";
import { freePorts } from "../support/ports.ts";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "portcullis-ai-up-"));
const keys = { ALICE_KEYS: "gw-alice-up-0123456789", BOB_KEYS: "gw-bob-up-0123456789", OPENAI_KEY: "sk-proj-up-secret-91aa", ANTHROPIC_KEY: "sk-ant-up-secret-52bb" };
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let ports: { listener: number; processor: number; admin: number };

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: keys.OPENAI_KEY });
  anthropic = await startFakeAnthropic({ apiKey: keys.ANTHROPIC_KEY });
  const [listener, processor, admin] = await freePorts(3);
  ports = { listener: listener!, processor: processor!, admin: admin! };
  writeFileSync(join(dir, "gateway.yaml"), JSON.stringify(aiGatewayConfig({ ...ports, openai: openai.port, anthropic: anthropic.port })));
});

afterAll(async () => {
  await openai?.close();
  await anthropic?.close();
  rmSync(dir, { recursive: true, force: true });
});

function up(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "up", dir, "--envoy-admin-port", String(ports.admin), "--usage-db", join(dir, "usage.db"), "--no-watch"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...keys, NO_COLOR: "1" },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.once("exit", resolve)) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 40_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("runs the AI processor: a chat completion through the gateway", async () => {
  const run = up();
  try {
    await until(() => /Portcullis is up/.test(run.output()) || run.child.exitCode !== null, "up to start");
    expect(run.output()).toContain(`AI processor on 127.0.0.1:${ports.processor}`);
    const client = new OpenAI({ apiKey: keys.ALICE_KEYS, baseURL: `http://127.0.0.1:${ports.listener}/ai/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "smart", messages: [{ role: "user", content: "hello up" }] });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello up");
  } finally {
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
  }
  for (const key of Object.values(keys)) expect(run.output()).not.toContain(key);
}, 60_000);

it("refuses to start when the AI processor's address is taken, and says which", async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(ports.processor, "127.0.0.1", resolve));
  try {
    const run = up();
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain(`the AI processor`);
    expect(run.output()).toContain(`127.0.0.1:${ports.processor}`);
    expect(run.output()).toContain("ai.processor.address");
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
}, 60_000);
