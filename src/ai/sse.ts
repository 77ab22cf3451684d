/**
 * Server-sent events (the WHATWG event-stream format), read incrementally: chunks from Envoy split
 * events anywhere, even inside a UTF-8 character, so the parser keeps the unfinished tail.
 */

export interface SseEvent {
  /** The `event:` field; absent means the default type, "message". */
  readonly event?: string;
  /** The `data:` lines joined with newlines. */
  readonly data: string;
}

export class SseParser {
  readonly #decoder = new TextDecoder();
  #buffer = "";

  /** The events completed by this chunk (or by the end of the stream, with `end`). */
  push(chunk: Uint8Array, end = false): SseEvent[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: !end });
    const events: SseEvent[] = [];
    // An event ends at a blank line; CRLF, LF and CR all end lines.
    const blocks = this.#buffer.split(/\r\n\r\n|\n\n|\r\r/);
    this.#buffer = end ? "" : blocks.pop()!;
    for (const block of blocks) {
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === "" || line.startsWith(":")) continue; // comments keep connections alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0 && event === undefined) return undefined;
  return { ...(event !== undefined ? { event } : {}), data: data.join("\n") };
}

/** One event as event-stream text. */
export function formatSse(data: string, event?: string): string {
  return `${event !== undefined ? `event: ${event}\n` : ""}${data.split("\n").map((line) => `data: ${line}`).join("\n")}\n\n`;
}

/** Server-sent events in a chunk of a translated stream: each ends with a blank line, and chunks hold whole events. */
export function countEvents(bytes: Uint8Array): number {
  let events = 0;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] === 0x0a && bytes[i - 1] === 0x0a) events++;
  return events;
}
