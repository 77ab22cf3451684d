/**
 * A fake AWS Bedrock runtime on 127.0.0.1, faithful to what the official
 * `@aws-sdk/client-bedrock-runtime` speaks: Converse (`POST /model/{modelId}/converse`, JSON) and
 * ConverseStream (`/converse-stream`, AWS event-stream binary frames: messageStart,
 * contentBlockStart/Delta/Stop, messageStop, metadata), tool use, stop sequences and maxTokens,
 * and AWS errors (status, `x-amzn-errortype`, `{message}`). Every request's SigV4 signature is
 * verified with @smithy/signature-v4 (what the SDK signs with) over exactly the headers it names,
 * the path and the body as received: a request whose Host, path or body differ from what was
 * signed is refused 403 like AWS does. Answers echo the last user text; requests are recorded.
 * test/ai/fake-providers-more.test.ts drives it with the SDK.
 */
import type { ServerResponse } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { type FakeServer, type RecordedRequest, startFakeServer, tokens } from "./server.ts";

export interface FakeBedrock extends FakeServer {
  failNext(status: number, type: string, message: string): void;
}

type Block = { text?: string; toolUse?: unknown; toolResult?: unknown; image?: unknown; [key: string]: unknown };
interface Converse {
  messages: { role: string; content: Block[] }[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; stopSequences?: string[]; temperature?: number; topP?: number };
  toolConfig?: { tools: { toolSpec: { name: string } }[]; toolChoice?: unknown };
}

const TOP_LEVEL = new Set(["messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields", "promptVariables", "additionalModelResponseFieldPaths", "requestMetadata", "performanceConfig"]);
const BLOCK_FIELDS = new Set(["text", "image", "document", "video", "toolUse", "toolResult", "guardContent", "cachePoint", "reasoningContent"]);
const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ message });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, "x-amzn-requestid": "fake-request-id" });
  res.end(text);
}

/** Whether the request carries a valid SigV4 signature for these credentials, and if not why (as AWS says it). */
async function checkSignature(request: RecordedRequest, credentials: { accessKeyId: string; secretAccessKey: string; region: string }): Promise<{ type: string; message: string } | undefined> {
  const authorization = String(request.headers.authorization ?? "");
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!parsed) return { type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  const [, keyId, , region, service, signedHeaders, signature] = parsed;
  if (keyId !== credentials.accessKeyId) return { type: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  if (region !== credentials.region || service !== "bedrock") return { type: "InvalidSignatureException", message: `Credential should be scoped to a valid region and to service bedrock.` };
  const names = signedHeaders!.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return { type: "InvalidSignatureException", message: "The request signature must cover host and x-amz-date." };
  const headers = Object.fromEntries(names.map((name) => [name, String(request.headers[name] ?? "")]));
  const date = headers["x-amz-date"]!;
  const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  const sessionToken = headers["x-amz-security-token"];
  const signer = new SignatureV4({ service: "bedrock", region: credentials.region, sha256: Sha256, applyChecksum: false, credentials: { accessKeyId: keyId, secretAccessKey: credentials.secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } });
  const [path, query] = request.path.split("?");
  const expected = await signer.sign({ method: request.method, protocol: "http:", hostname: headers["host"]!, path: path!, query: Object.fromEntries(new URLSearchParams(query ?? "")), headers, body: request.body }, { signingDate });
  if (String(expected.headers["authorization"]).endsWith(`Signature=${signature}`)) return undefined;
  return { type: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details." };
}

function invalid(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return "Malformed input request, please reformat your input and try again.";
  const unknown = Object.keys(body).find((key) => !TOP_LEVEL.has(key));
  if (unknown) return `Malformed input request: extraneous key [${unknown}] is not permitted, please reformat your input and try again.`;
  const request = body as Converse;
  if (!Array.isArray(request.messages) || request.messages.length === 0) return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  for (const [index, message] of request.messages.entries()) {
    if (message.role !== "user" && message.role !== "assistant") return `messages.${index}.role: must be user or assistant`;
    if (index > 0 && request.messages[index - 1]!.role === message.role) return "A conversation must alternate between user and assistant roles.";
    if (!Array.isArray(message.content) || message.content.some((block) => Object.keys(block).length !== 1 || !BLOCK_FIELDS.has(Object.keys(block)[0]!))) return `messages.${index}.content: each content block must hold exactly one member.`;
  }
  return request.messages[0]!.role === "user" ? undefined : "A conversation must start with a user message.";
}

const lastUserText = (request: Converse) => [...request.messages].reverse().find((m) => m.role === "user" && m.content.some((b) => b.text !== undefined))?.content.filter((b) => b.text !== undefined).map((b) => b.text).join(" ") ?? "";

function answer(request: Converse) {
  const tool = request.toolConfig?.tools[0]?.toolSpec;
  const answered = request.messages.at(-1)?.content.some((b) => b.toolResult !== undefined);
  if (tool && !answered && /weather/i.test(lastUserText(request))) return { text: "", tool: { toolUseId: "tooluse_fake1", name: tool.name, input: { city: "Paris" } }, stop: "tool_use" };
  let text = `Echo: ${lastUserText(request)}`;
  const hit = (request.inferenceConfig?.stopSequences ?? []).find((sequence) => text.includes(sequence));
  if (hit) return { text: text.slice(0, text.indexOf(hit)), tool: undefined, stop: "stop_sequence" };
  const max = request.inferenceConfig?.maxTokens;
  const words = text.split(" ");
  if (max !== undefined && words.length > max) {
    text = words.slice(0, max).join(" ");
    return { text, tool: undefined, stop: "max_tokens" };
  }
  return { text, tool: undefined, stop: "end_turn" };
}

const usage = (request: Converse, output: number) => {
  const input = tokens(JSON.stringify(request.messages)) + tokens(JSON.stringify(request.system ?? []));
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
};

const frame = (type: string, payload: object) =>
  codec.encode({
    headers: { ":event-type": { type: "string", value: type }, ":content-type": { type: "string", value: "application/json" }, ":message-type": { type: "string", value: "event" } },
    // Bedrock pads payloads (`p`) so their length says nothing about their content.
    body: fromUtf8(JSON.stringify({ ...payload, p: "abcdefghijkl" })),
  });

function streamFrames(request: Converse): Uint8Array[] {
  const said = answer(request);
  const words = said.text.split(" ").filter(Boolean);
  const text = words.length > 0 ? [...words.map((word, i) => frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: i === 0 ? word : ` ${word}` } })), frame("contentBlockStop", { contentBlockIndex: 0 })] : [];
  const toolIndex = text.length > 0 ? 1 : 0;
  const tool = said.tool
    ? [
        frame("contentBlockStart", { contentBlockIndex: toolIndex, start: { toolUse: { toolUseId: said.tool.toolUseId, name: said.tool.name } } }),
        frame("contentBlockDelta", { contentBlockIndex: toolIndex, delta: { toolUse: { input: '{"city":' } } }),
        frame("contentBlockDelta", { contentBlockIndex: toolIndex, delta: { toolUse: { input: '"Paris"}' } } }),
        frame("contentBlockStop", { contentBlockIndex: toolIndex }),
      ]
    : [];
  return [frame("messageStart", { role: "assistant" }), ...text, ...tool, frame("messageStop", { stopReason: said.stop }), frame("metadata", { usage: usage(request, words.length + (said.tool ? 7 : 0)), metrics: { latencyMs: 12 } })];
}

async function sendFrames(res: ServerResponse, frames: Uint8Array[]): Promise<void> {
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "fake-request-id" });
  for (const bytes of frames) {
    res.write(bytes);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  res.end();
}

export async function startFakeBedrock(options: { accessKeyId: string; secretAccessKey: string; region: string; models?: string[] }): Promise<FakeBedrock> {
  const failures: { status: number; type: string; message: string }[] = [];
  const models = options.models ?? ["anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.nova-lite-v1:0"];

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const refused = await checkSignature(request, options);
    if (refused) return sendError(res, 403, refused.type, refused.message);
    const match = PATH.exec(request.path.split("?")[0]!);
    if (request.method !== "POST" || !match) return sendError(res, 404, "UnknownOperationException", "Unknown operation");
    const failure = failures.shift();
    if (failure) return sendError(res, failure.status, failure.type, failure.message);
    if (!models.includes(decodeURIComponent(match[1]!))) return sendError(res, 400, "ValidationException", "The provided model identifier is invalid.");
    const problem = invalid(request.json);
    if (problem) return sendError(res, 400, "ValidationException", problem);
    const body = request.json as Converse;
    if (match[2] === "converse-stream") return sendFrames(res, streamFrames(body));
    const said = answer(body);
    const content = [...(said.text ? [{ text: said.text }] : []), ...(said.tool ? [{ toolUse: said.tool }] : [])];
    const text = JSON.stringify({ output: { message: { role: "assistant", content } }, stopReason: said.stop, usage: usage(body, tokens(said.text) + (said.tool ? 7 : 0)), metrics: { latencyMs: 12 } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-amzn-requestid": "fake-request-id" });
    res.end(text);
  }

  const server = await startFakeServer(handle);
  return { ...server, failNext: (status, type, message) => void failures.push({ status, type, message }) };
}
