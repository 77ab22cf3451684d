/**
 * The AI processor on a unix socket: Envoy reaches it through a pipe address, the socket is for
 * the processor's user alone (it hands every request its provider key), and it is removed on close.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AiGatewayUnderTest, startAiGateway } from "../support/ai-gateway.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-ai-sock-"));
const socket = join(dir, "run", "ai.sock");
let gw: AiGatewayUnderTest;

beforeAll(async () => {
  gw = await startAiGateway({ socket });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("serves chat through a socket only its user can open", async () => {
  expect(statSync(socket).isSocket()).toBe(true);
  expect(statSync(socket).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, "run")).mode & 0o777).toBe(0o700);
  const client = gw.client();
  const completion = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "over a socket" }] });
  expect(completion.choices[0]?.message.content).toBe("Echo: over a socket");
  await gw.processor.close();
  expect(existsSync(socket)).toBe(false);
});
