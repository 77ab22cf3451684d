/**
 * examples/ai as a new user runs it: `portcullis up` on the example (a copy on free ports) starts
 * Envoy, the AI processor and the demo model; the official openai client gets a chat completion,
 * whole and streamed with its usage chunk, and the prompt API answers with output of its schema,
 * all through Envoy, with the example's demo key and no provider account.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../support/ports.ts";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "portcullis-ai-example-"));
const KEY = readFileSync(join(root, "examples", "ai", "demo-keys.txt"), "utf8").split("\n").find((line) => line.trim() !== "" && !line.startsWith("#"))!.trim();
let origin: string;
let child: ChildProcess;
let output = "";

/** The example in a temp dir, on free ports: its listener, its demo model and its AI processor. */
function exampleCopy(ports: { listener: number; model: number; processor: number }): void {
  cpSync(join(root, "examples", "ai"), dir, { recursive: true });
  const yaml = readFileSync(join(dir, "gateway.yaml"), "utf8");
  const moved = yaml
    .replace("port: 10100", `port: ${ports.listener}`)
    .replace("127.0.0.1:18090", `127.0.0.1:${ports.model}`)
    .replace("ai:\n  basePath: /ai/v1\n", `ai:\n  basePath: /ai/v1\n  processor: { address: "127.0.0.1:${ports.processor}" }\n`)
    .replace("../../schema/", `${join(root, "schema")}/`);
  expect(moved.match(new RegExp(`${ports.listener}|${ports.model}|${ports.processor}`, "g"))).toHaveLength(3);
  writeFileSync(join(dir, "gateway.yaml"), moved);
}

beforeAll(async () => {
  const [listener, model, processor, admin] = await freePorts(4);
  exampleCopy({ listener: listener!, model: model!, processor: processor! });
  child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "up", dir, "--envoy-admin-port", String(admin), "--usage-db", join(dir, "usage.db"), "--no-watch"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  for (const deadline = Date.now() + 40_000; !/Portcullis is up/.test(output); ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`up did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  origin = `http://127.0.0.1:${listener}`;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new OpenAI({ apiKey: KEY, baseURL: `${origin}/ai/v1`, maxRetries: 0 });
const post = (path: string, body: unknown, key = KEY) =>
  fetch(`${origin}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("examples/ai under portcullis up", () => {
  it("starts the demo model beside the gateway", () => {
    expect(output).toMatch(/demo backend "llm" on http:\/\/127\.0\.0\.1:\d+/);
  });

  it("answers a chat completion, whole and streamed with its usage chunk", async () => {
    const completion = await client().chat.completions.create({ model: "chat", messages: [{ role: "user", content: "Hello there" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe("Echo: Hello there");
    expect(completion.usage).toMatchObject({ completion_tokens: 3, total_tokens: expect.any(Number) });
    const stream = await client().chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream me" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage ??= chunk.usage;
    }
    expect(text).toBe("Echo: stream me");
    expect(usage?.completion_tokens).toBe(3);
    // Deterministic: cut at max_tokens words, JSON when asked for it.
    const cut = await client().chat.completions.create({ model: "chat", messages: [{ role: "user", content: "one two three four" }], max_tokens: 2 });
    expect([cut.choices[0]?.message.content, cut.choices[0]?.finish_reason]).toEqual(["Echo: one", "length"]);
    const asJson = await client().chat.completions.create({ model: "chat", messages: [{ role: "user", content: "as JSON" }], response_format: { type: "json_object" } });
    expect(JSON.parse(asJson.choices[0]!.message.content!)).toEqual({ echo: "as JSON" });
    const models = await client().models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(["chat", "mini"]);
  });

  it("answers the prompt API with output of its schema, and refuses a body that does not fit", async () => {
    const answer = await post("/prompts/sentiment", { text: "The new release is great" });
    expect(answer.status).toBe(200);
    const { output: result } = (await answer.json()) as { output: { sentiment: string; summary: string } };
    expect(["positive", "neutral", "negative"]).toContain(result.sentiment);
    expect(result.summary).toContain("The new release is great");
    const wrong = await post("/prompts/sentiment", { text: "" });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { errors: unknown[] }).errors).toEqual([{ path: "/text", message: "must NOT have fewer than 1 characters" }]);
    expect((await post("/prompts/sentiment", { text: "hi" }, "not-the-demo-key")).status).toBe(401);
  });
});
