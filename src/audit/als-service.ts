/**
 * The hand-declared gRPC service envoy.service.accesslog.v3.AccessLogService: Envoy opens one
 * client stream per logger and worker, and sends batches of entries on it; protobuf-es decodes them.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import {
  type StreamAccessLogsMessage,
  StreamAccessLogsMessageSchema,
  type StreamAccessLogsResponse,
  StreamAccessLogsResponseSchema,
} from "../../generated/envoy/service/accesslog/v3/als_pb.js";

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const accessLogServiceDefinition = {
  StreamAccessLogs: {
    path: "/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs",
    requestStream: true,
    responseStream: false,
    requestSerialize: (message: StreamAccessLogsMessage) => asBuffer(toBinary(StreamAccessLogsMessageSchema, message)),
    requestDeserialize: (bytes: Buffer) => fromBinary(StreamAccessLogsMessageSchema, bytes),
    responseSerialize: (response: StreamAccessLogsResponse) => asBuffer(toBinary(StreamAccessLogsResponseSchema, response)),
    responseDeserialize: (bytes: Buffer) => fromBinary(StreamAccessLogsResponseSchema, bytes),
    originalName: "streamAccessLogs",
  },
} satisfies ServiceDefinition;

export const emptyResponse = (): StreamAccessLogsResponse => create(StreamAccessLogsResponseSchema);
