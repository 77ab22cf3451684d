/**
 * Writing already-framed gRPC messages through grpc-js. grpc-js frames every message it sends by
 * allocating a buffer for the 5-byte prefix plus the message and copying the message in: for an
 * xDS response written to 1,000 streams, 1,000 copies of the same bytes, all alive until the
 * sockets take them. The ADS server frames each response once (src/server/wire.ts) and has
 * grpc-js pass the frame through unchanged, so every stream queues the same buffer.
 *
 * This replaces `serializeMessage` on the stream's grpc-js call object, which is not public API
 * (grpc-js 1.14). So it is done only after checking, on that call, that the method exists and
 * frames as expected; otherwise the stream gets unframed messages and grpc-js frames them as usual.
 */
import type { ServerDuplexStream } from "@grpc/grpc-js";

interface FramingCall {
  serializeMessage(message: Buffer): Buffer;
}

/** What grpc-js's framing makes of a one-byte message [7]: not compressed, length 1, the byte. */
const PROBE = Buffer.from([7]);
const PROBE_FRAME = Buffer.from([0, 0, 0, 0, 1, 7]);

/**
 * Makes `stream` write the buffers given to it as complete gRPC frames; false when grpc-js does
 * not work as this expects (then write messages, not frames). The method's response serializer
 * must pass buffers through unchanged (see src/server/ads-service.ts).
 */
export function writesFrames(stream: ServerDuplexStream<unknown, Buffer>): boolean {
  const call = (stream as unknown as { call?: Partial<FramingCall> }).call;
  if (typeof call?.serializeMessage !== "function") return false;
  try {
    if (!call.serializeMessage(PROBE).equals(PROBE_FRAME)) return false;
  } catch {
    return false;
  }
  call.serializeMessage = (frame: Buffer) => frame;
  return true;
}
