/**
 * A gRPC method of a hand-declared service (grpc-js ServiceDefinition) whose messages protobuf-es
 * encodes and decodes, e.g.
 * `{ StreamAccessLogs: protobufMethod("/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs", In, Out, { requestStream: true }) }`.
 */
import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import type { MethodDefinition } from "@grpc/grpc-js";

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function protobufMethod<In extends DescMessage, Out extends DescMessage>(
  path: string,
  input: In,
  output: Out,
  streams: { readonly requestStream?: boolean; readonly responseStream?: boolean } = {},
): MethodDefinition<MessageShape<In>, MessageShape<Out>> {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return {
    path,
    requestStream: streams.requestStream ?? false,
    responseStream: streams.responseStream ?? false,
    requestSerialize: (message) => asBuffer(toBinary(input, message)),
    requestDeserialize: (bytes) => fromBinary(input, bytes),
    responseSerialize: (message) => asBuffer(toBinary(output, message)),
    responseDeserialize: (bytes) => fromBinary(output, bytes),
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}
