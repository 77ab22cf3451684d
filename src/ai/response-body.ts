/**
 * A provider's answer as Envoy streams it to the processor, chunk by chunk: an event stream is
 * translated event by event (each chunk goes on as soon as its events are complete); a JSON answer
 * is read whole only where it must be rewritten, and otherwise passes chunk by chunk, read only
 * for its usage.
 */
import type { ProviderAdapter, StreamContext, StreamDecoder, Usage } from "./providers/adapter.ts";
import { SseParser } from "./sse.ts";

/** A whole JSON answer larger than this is not read for usage (answers are kilobytes). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface ResponseBody {
  /** Whether the answer is an event stream (then the processor translates every event). */
  readonly streamed: boolean;
  /** Whether the body the client gets differs from the provider's (content-length no longer holds). */
  readonly rewritten: boolean;
  /** The bytes to send the client for this chunk, or undefined to send the chunk unchanged. */
  push(chunk: Uint8Array, end: boolean): Uint8Array | undefined;
  usage(): Usage | undefined;
}

const encoder = new TextEncoder();

function eventStream(adapter: ProviderAdapter, context: StreamContext, parser: StreamDecoder): ResponseBody {
  const translator = adapter.stream(context);
  return {
    streamed: true,
    rewritten: true,
    push(chunk, end) {
      const text = parser.push(chunk, end).map((event) => translator.event(event)).join("") + (end ? translator.end() : "");
      return encoder.encode(text);
    },
    usage: () => translator.usage(),
  };
}

function jsonBody(adapter: ProviderAdapter, status: number): ResponseBody {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let usage: Usage | undefined;
  return {
    streamed: false,
    rewritten: !adapter.openAiShaped,
    push(chunk, end) {
      size += chunk.length;
      if (size <= MAX_JSON_BYTES) chunks.push(chunk);
      if (!end) return adapter.openAiShaped ? undefined : new Uint8Array();
      const text = size <= MAX_JSON_BYTES ? Buffer.concat(chunks).toString("utf8") : "";
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // A provider or a proxy before it answered with something else than JSON: translate it as an error text.
      }
      const translated = adapter.body(status, parsed);
      usage = translated.usage;
      return adapter.openAiShaped ? undefined : encoder.encode(JSON.stringify(translated.body));
    },
    usage: () => usage,
  };
}

export function responseBody(adapter: ProviderAdapter, status: number, contentType: string, context: StreamContext): ResponseBody {
  const type = contentType.toLowerCase();
  if (status < 400 && adapter.streamFormat && type.startsWith(adapter.streamFormat.contentType)) return eventStream(adapter, context, adapter.streamFormat.decoder());
  return status < 400 && type.startsWith("text/event-stream") ? eventStream(adapter, context, new SseParser()) : jsonBody(adapter, status);
}
