/**
 * The hand-declared gRPC service envoy.service.ratelimit.v3.RateLimitService: one unary call per
 * request Envoy checks, whose messages protobuf-es decodes and encodes.
 */
import type { ServiceDefinition } from "@grpc/grpc-js";
import { RateLimitRequestSchema, RateLimitResponseSchema } from "../../generated/envoy/service/ratelimit/v3/rls_pb.js";
import { protobufMethod } from "../grpc/method.ts";

export const rateLimitServiceDefinition = {
  ShouldRateLimit: protobufMethod("/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit", RateLimitRequestSchema, RateLimitResponseSchema),
} satisfies ServiceDefinition;
