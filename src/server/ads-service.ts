/**
 * The hand-declared gRPC service envoy.service.discovery.v3.AggregatedDiscoveryService. Requests are
 * decoded with protobuf-es; responses are already-encoded bytes (see wire.ts and src/grpc/preframed.ts),
 * so serializing one is a no-op and the same framed response goes to every stream.
 */
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { DeltaDiscoveryRequestSchema, DiscoveryRequestSchema } from "../../generated/envoy/service/discovery/v3/discovery_pb.js";

const SERVICE = "/envoy.service.discovery.v3.AggregatedDiscoveryService";

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

function bidiMethod<Desc extends DescMessage>(name: string, requestSchema: Desc) {
  return {
    path: `${SERVICE}/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: (request: MessageShape<Desc>) => asBuffer(toBinary(requestSchema, request)),
    requestDeserialize: (bytes: Buffer) => fromBinary(requestSchema, bytes),
    responseSerialize: asBuffer,
    responseDeserialize: (bytes: Buffer) => bytes as Uint8Array,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  } as const;
}

export const adsServiceDefinition = {
  StreamAggregatedResources: bidiMethod("StreamAggregatedResources", DiscoveryRequestSchema),
  DeltaAggregatedResources: bidiMethod("DeltaAggregatedResources", DeltaDiscoveryRequestSchema),
} satisfies ServiceDefinition;
