/**
 * A fake Google Gemini API (generativelanguage.googleapis.com, v1beta) on 127.0.0.1, faithful to
 * the wire format the official `@google/genai` client speaks: generateContent, and
 * streamGenerateContent with `alt=sse` (each event a GenerateContentResponse with the new parts
 * and the usage so far; no end marker), function calls, stop sequences, maxOutputTokens, JSON
 * mode, and Google API error bodies ({error: {code, message, status}}). Like the real API it takes
 * the key in x-goog-api-key, answers a wrong key with 400 API_KEY_INVALID, and rejects fields it
 * does not know (the request shape is asserted). Answers echo the last user text; every request
 * is recorded. test/ai/fake-providers-more.test.ts drives it with `@google/genai`.
 */
import type { ServerResponse } from "node:http";
import { type FakeServer, fakeEmbedding, type RecordedRequest, sendEvents, sendJson, startFakeServer, tokens } from "./server.ts";

export interface FakeGemini extends FakeServer {
  failNext(status: number, body: unknown): void;
}

type Part = { text?: string; inlineData?: { mimeType: string; data: string }; functionCall?: unknown; functionResponse?: unknown; thoughtSignature?: string };
interface Request {
  contents: { role?: string; parts: Part[] }[];
  systemInstruction?: { parts: Part[] };
  generationConfig?: { maxOutputTokens?: number; stopSequences?: string[]; responseMimeType?: string; [key: string]: unknown };
  tools?: { functionDeclarations?: { name: string }[] }[];
  toolConfig?: { functionCallingConfig?: { mode?: string } };
}

const TOP_LEVEL = new Set(["contents", "systemInstruction", "generationConfig", "tools", "toolConfig", "safetySettings", "cachedContent", "labels"]);
const GENERATION_CONFIG = new Set(["temperature", "topP", "topK", "maxOutputTokens", "stopSequences", "candidateCount", "presencePenalty", "frequencyPenalty", "seed", "responseMimeType", "responseSchema", "responseJsonSchema", "responseLogprobs", "logprobs", "thinkingConfig", "responseModalities"]);
const PART_FIELDS = new Set(["text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature"]);

const googleError = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, message, status, ...(details.length > 0 ? { details } : {}) } });

/** The first thing the real API would refuse in a request body, as its message. */
function invalid(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return "Invalid JSON payload received.";
  const unknown = Object.keys(body).find((key) => !TOP_LEVEL.has(key));
  if (unknown) return `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`;
  const request = body as Request;
  const config = Object.keys(request.generationConfig ?? {}).find((key) => !GENERATION_CONFIG.has(key));
  if (config) return `Invalid JSON payload received. Unknown name "${config}" at 'generation_config': Cannot find field.`;
  if (!Array.isArray(request.contents) || request.contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  for (const [index, content] of request.contents.entries()) {
    if (content.role !== "user" && content.role !== "model") return `Please use a valid role: user, model. (contents[${index}])`;
    if (!Array.isArray(content.parts) || content.parts.length === 0) return `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.`;
    const part = content.parts.find((p) => Object.keys(p).some((key) => !PART_FIELDS.has(key)));
    if (part) return `Invalid JSON payload received. Unknown name in contents[${index}].parts.`;
  }
  return undefined;
}

const lastUserText = (request: Request) =>
  [...request.contents].reverse().find((c) => c.role === "user" && c.parts.some((p) => p.text !== undefined))?.parts.filter((p) => p.text !== undefined).map((p) => p.text).join(" ") ?? "";

function answer(request: Request) {
  const tool = request.tools?.[0]?.functionDeclarations?.[0];
  const answered = request.contents.at(-1)?.parts.some((p) => p.functionResponse !== undefined);
  if (tool && !answered && request.toolConfig?.functionCallingConfig?.mode !== "NONE" && /weather/i.test(lastUserText(request))) {
    return { parts: [{ functionCall: { name: tool.name, args: { city: "Paris" } } }] as Part[], finish: "STOP" };
  }
  if (request.generationConfig?.responseMimeType === "application/json") return { parts: [{ text: JSON.stringify({ echo: lastUserText(request) }) }], finish: "STOP" };
  let text = `Echo: ${lastUserText(request)}`;
  const hit = (request.generationConfig?.stopSequences ?? []).find((sequence) => text.includes(sequence));
  if (hit) return { parts: [{ text: text.slice(0, text.indexOf(hit)) }], finish: "STOP" };
  const max = request.generationConfig?.maxOutputTokens;
  const words = text.split(" ");
  if (max !== undefined && words.length > max) {
    text = words.slice(0, max).join(" ");
    return { parts: [{ text }], finish: "MAX_TOKENS" };
  }
  return { parts: [{ text }], finish: "STOP" };
}

const promptTokens = (request: Request) => tokens(JSON.stringify(request.contents)) + tokens(JSON.stringify(request.systemInstruction ?? ""));
const usage = (prompt: number, output: number) => ({ promptTokenCount: prompt, candidatesTokenCount: output, totalTokenCount: prompt + output, promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }] });
const outputTokens = (parts: Part[]) => parts.reduce((sum, part) => sum + (part.text !== undefined ? tokens(part.text) : 5), 0);

function response(request: Request, model: string, id: string) {
  const said = answer(request);
  return { candidates: [{ content: { parts: said.parts, role: "model" }, finishReason: said.finish, index: 0 }], usageMetadata: usage(promptTokens(request), outputTokens(said.parts)), modelVersion: model, responseId: id };
}

/** The answer as streamGenerateContent sends it: text word by word, a function call whole, the finish reason and full usage last. */
function streamEvents(request: Request, model: string, id: string): string[] {
  const said = answer(request);
  const prompt = promptTokens(request);
  const pieces: Part[] = said.parts.flatMap((part) => (part.text !== undefined ? part.text.split(" ").map((word, i) => ({ text: i === 0 ? word : ` ${word}` })) : [part]));
  let written = 0;
  return pieces.map((piece, index) => {
    written += piece.text !== undefined ? tokens(piece.text) : 5;
    const last = index === pieces.length - 1;
    const event = { candidates: [{ content: { parts: [piece], role: "model" }, ...(last ? { finishReason: said.finish } : {}), index: 0 }], usageMetadata: last ? usage(prompt, written) : { promptTokenCount: prompt, totalTokenCount: prompt + written }, modelVersion: model, responseId: id };
    return `data: ${JSON.stringify(event)}\r\n\r\n`;
  });
}

const PATH = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent|batchEmbedContents)(\?.*)?$/;

/** batchEmbedContents: one vector per request, each naming the model of the path. */
function embeddings(body: unknown, model: string): { status: number; body: unknown } {
  const requests = (body as { requests?: { model?: string; content?: { parts?: Part[] }; outputDimensionality?: number }[] } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) return { status: 400, body: googleError(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: requests is not specified") };
  const wrong = requests.findIndex((request) => request.model !== `models/${model}`);
  if (wrong >= 0) return { status: 400, body: googleError(400, "INVALID_ARGUMENT", `* BatchEmbedContentsRequest.requests[${wrong}].model: model must be models/${model}.`) };
  const vectors = requests.map((request) => ({ values: fakeEmbedding((request.content?.parts ?? []).map((part) => part.text ?? "").join(""), request.outputDimensionality ?? 8) }));
  return { status: 200, body: { embeddings: vectors } };
}

export async function startFakeGemini(options: { apiKey: string; models?: string[] }): Promise<FakeGemini> {
  const failures: { status: number; body: unknown }[] = [];
  const models = options.models ?? ["gemini-2.5-flash", "gemini-2.5-pro"];
  let count = 0;

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const key = request.headers["x-goog-api-key"];
    if (key === undefined) return sendJson(res, 403, googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."));
    if (key !== options.apiKey) return sendJson(res, 400, googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }]));
    const match = PATH.exec(request.path);
    if (request.method !== "POST" || !match) return sendJson(res, 404, googleError(404, "NOT_FOUND", `The requested URL ${request.path} was not found on this server.`));
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body);
    const [, model, method, query] = match;
    if (!models.includes(model!)) return sendJson(res, 404, googleError(404, "NOT_FOUND", `models/${model} is not found for API version v1beta, or is not supported for generateContent.`));
    if (method === "batchEmbedContents") {
      const answer = embeddings(request.json, model!);
      return sendJson(res, answer.status, answer.body);
    }
    const problem = invalid(request.json);
    if (problem) return sendJson(res, 400, googleError(400, "INVALID_ARGUMENT", problem));
    const body = request.json as Request;
    const id = `fakeResponse${++count}`;
    if (method === "generateContent") return sendJson(res, 200, response(body, model!, id));
    // Without alt=sse the real API streams one JSON array; clients ask for server-sent events.
    if (!new URLSearchParams(query ?? "").has("alt", "sse")) return sendJson(res, 200, [response(body, model!, id)]);
    return sendEvents(res, streamEvents(body, model!, id), {});
  }

  const server = await startFakeServer(handle);
  return { ...server, failNext: (status, body) => void failures.push({ status, body }) };
}
