/**
 * The plumbing the fake providers share: an HTTP server on an ephemeral 127.0.0.1 port that
 * records every request (method, path, headers, body) and hands it to the provider's handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface FakeServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, json: parse(body) };
      requests.push(request);
      Promise.resolve(handler(request, res)).catch((error: Error) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake provider failed: ${error.message}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes event-stream events one write each, yielding between them so they leave as separate chunks. */
export async function sendEvents(res: ServerResponse, events: readonly string[], headers: Record<string, string> = {}, gapMs = 1): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", ...headers });
  for (const event of events) {
    res.write(event);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  res.end();
}

/** The text of the last user message (string content or text parts), which the fakes echo. */
export function lastUserText(messages: unknown): string {
  const list = Array.isArray(messages) ? messages : [];
  const last = [...list].reverse().find((m) => (m as { role?: string }).role === "user") as { content?: unknown } | undefined;
  const content = last?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.filter((part) => part?.type === "text").map((part) => String(part.text)).join(" ");
  return "";
}

/** A deterministic token count: words. */
export const tokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** A deterministic embedding of a text: `dimensions` values in [-1, 1] derived from its characters. */
export function fakeEmbedding(text: string, dimensions = 8): number[] {
  return Array.from({ length: dimensions }, (_, i) => {
    let sum = i + 1;
    for (const char of text) sum = (sum * 31 + char.charCodeAt(0)) % 1000;
    return Math.round((sum / 500 - 1) * 1000) / 1000;
  });
}

/** OpenAI's embeddings answer: floats, or base64 of little-endian float32 (what the openai client asks for by default). */
export function openAiEmbeddings(input: unknown, model: string, format: unknown) {
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input.map(String) : [];
  const data = texts.map((text, index) => {
    const values = fakeEmbedding(text);
    return { object: "embedding", index, embedding: format === "base64" ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values };
  });
  const promptTokens = texts.reduce((sum, text) => sum + tokens(text), 0);
  return { object: "list", data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}
