/**
 * The AWS event stream (`application/vnd.amazon.eventstream`) ConverseStream answers in, read
 * incrementally: Envoy's chunks split binary frames anywhere, so bytes wait until a whole frame
 * (its length is in its first four bytes) is there; @smithy/core's codec checks both CRCs and
 * reads the headers. Each frame becomes an event named by its `:event-type` (or `exception`,
 * with the `:exception-type` in the data) whose data is the JSON payload.
 */
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { SseEvent } from "../sse.ts";
import type { StreamDecoder } from "./adapter.ts";

export const AWS_EVENT_STREAM = "application/vnd.amazon.eventstream";

/** A frame's prelude: total length, headers length, prelude CRC. */
const PRELUDE_BYTES = 12;
/** Frames are at most 16 MiB plus framing; a longer length means the stream is not an event stream. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024 + 1024;

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const decoder = new TextDecoder();

function event(frame: Uint8Array): SseEvent {
  try {
    const message = codec.decode(frame);
    const header = (name: string) => {
      const value = message.headers[name]?.value;
      return typeof value === "string" ? value : undefined;
    };
    const payload = decoder.decode(message.body);
    if (header(":message-type") === "event") return { event: header(":event-type") ?? "", data: payload };
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      parsed = { message: payload };
    }
    return { event: "exception", data: JSON.stringify({ ...(parsed as object), exceptionType: header(":exception-type") ?? header(":error-code") ?? "" }) };
  } catch {
    return { event: "exception", data: JSON.stringify({ exceptionType: "internalServerException", message: "The provider's event stream is corrupt." }) };
  }
}

export class AwsEventStreamDecoder implements StreamDecoder {
  #buffer = new Uint8Array(0);

  push(chunk: Uint8Array, _end = false): SseEvent[] {
    const buffer = new Uint8Array(this.#buffer.length + chunk.length);
    buffer.set(this.#buffer);
    buffer.set(chunk, this.#buffer.length);
    const events: SseEvent[] = [];
    let at = 0;
    while (buffer.length - at >= PRELUDE_BYTES) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + at, 4).getUint32(0);
      if (length < PRELUDE_BYTES + 4 || length > MAX_FRAME_BYTES) {
        events.push(event(new Uint8Array(0)));
        at = buffer.length;
        break;
      }
      if (buffer.length - at < length) break;
      events.push(event(buffer.subarray(at, at + length)));
      at += length;
    }
    this.#buffer = buffer.slice(at);
    return events;
  }
}
