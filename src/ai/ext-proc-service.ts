/**
 * The hand-declared gRPC service envoy.service.ext_proc.v3.ExternalProcessor: one bidirectional
 * stream per HTTP request, whose messages protobuf-es decodes and encodes.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import {
  type ProcessingRequest,
  ProcessingRequestSchema,
  type ProcessingResponse,
  ProcessingResponseSchema,
} from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { encodedOnce } from "./ext-proc-messages.ts";

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const extProcServiceDefinition = {
  Process: {
    path: "/envoy.service.ext_proc.v3.ExternalProcessor/Process",
    requestStream: true,
    responseStream: true,
    requestSerialize: (request: ProcessingRequest) => asBuffer(toBinary(ProcessingRequestSchema, request)),
    requestDeserialize: (bytes: Buffer) => fromBinary(ProcessingRequestSchema, bytes),
    responseSerialize: (response: ProcessingResponse) => asBuffer(encodedOnce(response) ?? toBinary(ProcessingResponseSchema, response)),
    responseDeserialize: (bytes: Buffer) => fromBinary(ProcessingResponseSchema, bytes),
    originalName: "process",
  },
} satisfies ServiceDefinition;
