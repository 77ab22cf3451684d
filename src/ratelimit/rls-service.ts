/**
 * The hand-declared gRPC service envoy.service.ratelimit.v3.RateLimitService: one unary call per
 * request Envoy checks, whose messages protobuf-es decodes and encodes.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { type RateLimitRequest, RateLimitRequestSchema, type RateLimitResponse, RateLimitResponseSchema } from "../../generated/envoy/service/ratelimit/v3/rls_pb.js";

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const rateLimitServiceDefinition = {
  ShouldRateLimit: {
    path: "/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit",
    requestStream: false,
    responseStream: false,
    requestSerialize: (request: RateLimitRequest) => asBuffer(toBinary(RateLimitRequestSchema, request)),
    requestDeserialize: (bytes: Buffer) => fromBinary(RateLimitRequestSchema, bytes),
    responseSerialize: (response: RateLimitResponse) => asBuffer(toBinary(RateLimitResponseSchema, response)),
    responseDeserialize: (bytes: Buffer) => fromBinary(RateLimitResponseSchema, bytes),
    originalName: "shouldRateLimit",
  },
} satisfies ServiceDefinition;
