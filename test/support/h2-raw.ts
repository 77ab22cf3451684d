import { connect } from "node:net";

/**
 * HTTP/2 written frame by frame over cleartext (prior knowledge), for requests Node's http2 client
 * refuses to send: uppercase or connection-specific header names, pseudo-headers out of order, a
 * :path without its slash, a body longer than its content-length. Everything goes on stream 1;
 * header blocks are HPACK literals without indexing and without Huffman coding.
 */

/** One frame of the request on stream 1: a header block (fields in the order given) or body bytes. */
export type H2RequestFrame = { readonly headers: readonly (readonly [string, string])[]; readonly endStream?: boolean } | { readonly data: string; readonly endStream?: boolean };

/** How the gateway answered stream 1. */
export type H2Outcome =
  | { readonly kind: "response"; readonly status: number }
  | { readonly kind: "reset"; readonly error: string }
  | { readonly kind: "goaway"; readonly error: string }
  | { readonly kind: "closed" }
  | { readonly kind: "no answer" };

const FRAME = { data: 0x0, headers: 0x1, rstStream: 0x3, settings: 0x4, goaway: 0x7, continuation: 0x9 } as const;
/** The largest frame payload a peer must accept before SETTINGS say otherwise (RFC 9113 §4.2). */
const MAX_FRAME_SIZE = 16_384;
const FLAG = { endStream: 0x1, ack: 0x1, endHeaders: 0x4 } as const;
const ERRORS = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"];
const errorName = (code: number) => ERRORS[code] ?? `error ${code}`;

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK integer with an N-bit prefix (RFC 7541 §5.1); `high` holds the first byte's other bits. */
function hpackInteger(value: number, prefixBits: number, high = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([high | value]);
  const bytes = [high | max];
  for (let rest = value - max; ; rest >>= 7) {
    if (rest < 128) {
      bytes.push(rest);
      return Buffer.from(bytes);
    }
    bytes.push((rest & 0x7f) | 0x80);
  }
}

const hpackString = (text: string) => {
  const bytes = Buffer.from(text, "latin1");
  return Buffer.concat([hpackInteger(bytes.length, 7), bytes]);
};

/** Literal header fields without indexing, new names (RFC 7541 §6.2.2), bytes exactly as given. */
const headerBlock = (fields: readonly (readonly [string, string])[]) => Buffer.concat(fields.flatMap(([name, value]) => [Buffer.from([0x00]), hpackString(name), hpackString(value)]));

/** A header block as HEADERS and, past the frame size, CONTINUATION frames; END_HEADERS on the last. */
function headerFrames(block: Buffer, endStream: boolean): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at === 0 || at < block.length; at += MAX_FRAME_SIZE) pieces.push(block.subarray(at, at + MAX_FRAME_SIZE));
  return pieces.map((piece, index) => {
    const last = index === pieces.length - 1 ? FLAG.endHeaders : 0;
    return index === 0 ? frame(FRAME.headers, last | (endStream ? FLAG.endStream : 0), 1, piece) : frame(FRAME.continuation, last, 1, piece);
  });
}

/** Huffman codes of the ten digits (RFC 7541 Appendix B): all a :status value needs. */
const DIGIT_CODES = new Map([0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f].map((code, digit) => [`${code < 3 ? 5 : 6}:${code}`, String(digit)]));

function huffmanDigits(bytes: Buffer): string {
  let bits = [...bytes].map((byte) => byte.toString(2).padStart(8, "0")).join("");
  let text = "";
  while (bits.length >= 5 && !/^1+$/.test(bits)) {
    const five = `5:${Number.parseInt(bits.slice(0, 5), 2)}`;
    const six = `6:${Number.parseInt(bits.slice(0, 6), 2)}`;
    const digit = DIGIT_CODES.get(five) ?? DIGIT_CODES.get(six);
    if (digit === undefined) return "";
    text += digit;
    bits = bits.slice(DIGIT_CODES.has(five) ? 5 : 6);
  }
  return text;
}

function readInteger(block: Buffer, offset: number, prefixBits: number): [value: number, next: number] {
  const max = (1 << prefixBits) - 1;
  let value = (block[offset] ?? 0) & max;
  let next = offset + 1;
  if (value < max) return [value, next];
  for (let shift = 0; ; shift += 7) {
    const byte = block[next++] ?? 0;
    value += (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, next];
  }
}

/** Static-table statuses (RFC 7541 Appendix A), by index. */
const STATIC_STATUS: Record<number, number> = { 8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500 };

/** The :status of a response header block, which servers send first; 0 if it cannot be read. */
function statusOf(block: Buffer): number {
  let offset = 0;
  // Dynamic table size updates may precede the first field.
  while (((block[offset] ?? 0) & 0xe0) === 0x20) offset = readInteger(block, offset, 5)[1];
  const first = block[offset] ?? 0;
  if (first & 0x80) return STATIC_STATUS[readInteger(block, offset, 7)[0]] ?? 0;
  const [nameIndex, valueAt] = first & 0x40 ? readInteger(block, offset, 6) : readInteger(block, offset, 4);
  if (nameIndex < 8 || nameIndex > 14) return 0;
  const huffman = ((block[valueAt] ?? 0) & 0x80) !== 0;
  const [length, start] = readInteger(block, valueAt, 7);
  const value = block.subarray(start, start + length);
  return Number(huffman ? huffmanDigits(value) : value.toString("latin1")) || 0;
}

/**
 * Sends the preface, empty SETTINGS and `frames` on stream 1 to 127.0.0.1:`port`, and reports the
 * first answer to stream 1: its response status, a reset of the stream, or a GOAWAY of the connection.
 */
export function h2Exchange(port: number, frames: readonly H2RequestFrame[], timeoutMs = 5_000): Promise<H2Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: H2Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: "no answer" }), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 9 && received.length >= 9 + received.readUIntBE(0, 3)) {
        const length = received.readUIntBE(0, 3);
        const [type, flags, streamId] = [received.readUInt8(3), received.readUInt8(4), received.readUInt32BE(5) & 0x7fffffff];
        const payload = received.subarray(9, 9 + length);
        received = received.subarray(9 + length);
        if (type === FRAME.settings && !(flags & FLAG.ack)) socket.write(frame(FRAME.settings, FLAG.ack, 0, Buffer.alloc(0)));
        else if (type === FRAME.goaway) finish({ kind: "goaway", error: errorName(payload.readUInt32BE(4)) });
        else if (type === FRAME.rstStream && streamId === 1) finish({ kind: "reset", error: errorName(payload.readUInt32BE(0)) });
        else if (type === FRAME.headers && streamId === 1) finish({ kind: "response", status: statusOf(payload) });
      }
    });
    socket.on("error", () => finish({ kind: "closed" }));
    socket.on("close", () => finish({ kind: "closed" }));
    const request = frames.flatMap((f) => ("headers" in f ? headerFrames(headerBlock(f.headers), f.endStream ?? false) : [frame(FRAME.data, f.endStream ? FLAG.endStream : 0, 1, Buffer.from(f.data, "latin1"))]));
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), frame(FRAME.settings, 0, 0, Buffer.alloc(0)), ...request]));
  });
}
