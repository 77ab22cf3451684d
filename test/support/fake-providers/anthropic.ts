/**
 * A fake Anthropic Messages API on 127.0.0.1, faithful to the wire format the official client
 * reads: messages (whole, and streamed as named server-sent events: message_start,
 * content_block_*, ping, message_delta, message_stop), tool use, stop sequences and max_tokens,
 * and error bodies. Like the real API it takes the key as x-api-key or (as SDKs for API version
 * 2026-10-21 send it) Authorization: Bearer, requires anthropic-version, and under 2026-10-21
 * refuses temperature, top_p and top_k. It answers deterministically (echoing the last user
 * message) and records every request.
 * test/ai/fake-providers.test.ts drives it with the official `@anthropic-ai/sdk` client.
 */
import type { ServerResponse } from "node:http";
import { type FakeServer, lastUserText, type RecordedRequest, sendEvents, sendJson, startFakeServer, tokens } from "./server.ts";

export interface FakeAnthropic extends FakeServer {
  failNext(status: number, body: unknown): void;
}

const API_VERSIONS = ["2023-06-01", "2026-10-21"];
/** Sampling parameters API version 2026-10-21 removed: a request that sends one is refused. */
const SAMPLING = ["temperature", "top_p", "top_k"];
const error = (type: string, message: string) => ({ type: "error", error: { type, message }, request_id: "req_fake_error" });
const RESPONSE_HEADERS = { "request-id": "req_fake_0001", "anthropic-organization-id": "00000000-fake-org", "anthropic-ratelimit-requests-remaining": "999" };

interface Messages {
  model: string;
  max_tokens: number;
  messages: unknown[];
  system?: unknown;
  stream?: boolean;
  stop_sequences?: string[];
  tools?: { name: string }[];
  tool_choice?: { type: string };
}

/** What the fake "model" says: the echo, cut at a stop sequence or at max_tokens words. */
function answer(request: Messages) {
  const tool = request.tools?.[0];
  if (tool && request.tool_choice?.type !== "none" && /weather/i.test(lastUserText(request.messages))) {
    return { text: "Let me check.", tool: { id: "toolu_fake_1", name: tool.name, input: { city: "Paris" } }, stop: "tool_use", stopSequence: null };
  }
  let text = `Echo: ${lastUserText(request.messages)}`;
  const hit = (request.stop_sequences ?? []).find((sequence) => text.includes(sequence));
  if (hit) return { text: text.slice(0, text.indexOf(hit)), tool: undefined, stop: "stop_sequence", stopSequence: hit };
  const words = text.split(" ");
  if (words.length > request.max_tokens) {
    text = words.slice(0, request.max_tokens).join(" ");
    return { text, tool: undefined, stop: "max_tokens", stopSequence: null };
  }
  return { text, tool: undefined, stop: "end_turn", stopSequence: null };
}

const inputTokens = (request: Messages) => tokens(JSON.stringify(request.messages)) + tokens(JSON.stringify(request.system ?? ""));
const usage = (input: number, output: number) => ({ input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 2, output_tokens: output, service_tier: "standard" });

function message(request: Messages, id: string) {
  const said = answer(request);
  const content = [...(said.text ? [{ type: "text", text: said.text }] : []), ...(said.tool ? [{ type: "tool_use", ...said.tool }] : [])];
  return { id, type: "message", role: "assistant", model: request.model, content, stop_reason: said.stop, stop_sequence: said.stopSequence, usage: usage(inputTokens(request), tokens(said.text) + (said.tool ? 7 : 0)) };
}

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

function streamEvents(request: Messages, id: string): string[] {
  const said = answer(request);
  const words = said.text.split(" ").filter(Boolean);
  const text = [
    event("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    event("ping", { type: "ping" }),
    ...words.map((word, i) => event("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: i === 0 ? word : ` ${word}` } })),
    event("content_block_stop", { type: "content_block_stop", index: 0 }),
  ];
  const tool = said.tool
    ? [
        event("content_block_start", { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: said.tool.id, name: said.tool.name, input: {} } }),
        event("content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } }),
        event("content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Paris"}' } }),
        event("content_block_stop", { type: "content_block_stop", index: 1 }),
      ]
    : [];
  return [
    event("message_start", { type: "message_start", message: { id, type: "message", role: "assistant", model: request.model, content: [], stop_reason: null, stop_sequence: null, usage: usage(inputTokens(request), 1) } }),
    ...text,
    ...tool,
    event("message_delta", { type: "message_delta", delta: { stop_reason: said.stop, stop_sequence: said.stopSequence }, usage: { output_tokens: words.length + (said.tool ? 7 : 0) } }),
    event("message_stop", { type: "message_stop" }),
  ];
}

function invalid(request: Messages | undefined): string | undefined {
  if (!request || typeof request.model !== "string") return "model: Field required";
  if (typeof request.max_tokens !== "number") return "max_tokens: Field required";
  if (!Array.isArray(request.messages) || request.messages.length === 0) return "messages: Field required";
  const roles = request.messages.map((m) => (m as { role?: string }).role);
  if (roles.some((role) => role !== "user" && role !== "assistant")) return `messages: Unexpected role. The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`;
  return undefined;
}

export async function startFakeAnthropic(options: { apiKey: string; models?: string[] }): Promise<FakeAnthropic> {
  const failures: { status: number; body: unknown }[] = [];
  const models = options.models ?? ["claude-sonnet-4-5", "claude-haiku-4-5"];
  let count = 0;

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const key = request.headers["x-api-key"] ?? request.headers.authorization?.replace(/^Bearer /, "");
    if (key === undefined) return sendJson(res, 401, error("authentication_error", "x-api-key header is required"));
    if (key !== options.apiKey) return sendJson(res, 401, error("authentication_error", "invalid x-api-key"));
    const version = request.headers["anthropic-version"];
    if (version === undefined) return sendJson(res, 400, error("invalid_request_error", "anthropic-version: header is required"));
    if (!API_VERSIONS.includes(String(version))) return sendJson(res, 400, error("invalid_request_error", `anthropic-version: unknown version ${version}`));
    if (request.method !== "POST" || request.path !== "/v1/messages") return sendJson(res, 404, error("not_found_error", "Not Found"));
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body, RESPONSE_HEADERS);
    const body = request.json as Messages | undefined;
    const removed = version === "2026-10-21" ? SAMPLING.find((param) => (body as Record<string, unknown> | undefined)?.[param] !== undefined) : undefined;
    const problem = invalid(body) ?? (removed ? `${removed}: Extra inputs are not permitted` : undefined);
    if (problem) return sendJson(res, 400, error("invalid_request_error", problem));
    if (!models.includes(body!.model)) return sendJson(res, 404, error("not_found_error", `model: ${body!.model}`));
    const id = `msg_fake${++count}`;
    if (body!.stream) return sendEvents(res, streamEvents(body!, id), RESPONSE_HEADERS);
    return sendJson(res, 200, message(body!, id), RESPONSE_HEADERS);
  }

  const server = await startFakeServer(handle);
  return { ...server, failNext: (status, body) => void failures.push({ status, body }) };
}
