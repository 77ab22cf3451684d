/**
 * The hand-declared gRPC service envoy.service.accesslog.v3.AccessLogService: Envoy opens one
 * client stream per logger and worker, and sends batches of entries on it; protobuf-es decodes them.
 */
import { create } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { StreamAccessLogsMessageSchema, type StreamAccessLogsResponse, StreamAccessLogsResponseSchema } from "../../generated/envoy/service/accesslog/v3/als_pb.js";
import { protobufMethod } from "../grpc/method.ts";

export const accessLogServiceDefinition = {
  StreamAccessLogs: protobufMethod("/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs", StreamAccessLogsMessageSchema, StreamAccessLogsResponseSchema, { requestStream: true }),
} satisfies ServiceDefinition;

export const emptyResponse = (): StreamAccessLogsResponse => create(StreamAccessLogsResponseSchema);
