/**
 * A real gRPC ADS client for control-plane tests and the fan-out benchmark: sends DiscoveryRequests
 * (SotW or Delta) and collects decoded responses.
 */
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { ChannelCredentials, makeGenericClientConstructor, type ChannelOptions, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import {
  DeltaDiscoveryRequestSchema,
  DeltaDiscoveryResponseSchema,
  DiscoveryRequestSchema,
  DiscoveryResponseSchema,
} from "../../generated/envoy/service/discovery/v3/discovery_pb.js";

export interface AdsStream<Req extends DescMessage, Res extends DescMessage> {
  send(request: MessageInitShape<Req>): void;
  /** Every response so far, in order. */
  readonly responses: MessageShape<Res>[];
  /** Resolves with the first response after the `seen` first ones that matches. */
  next(predicate?: (response: MessageShape<Res>) => boolean, timeoutMs?: number): Promise<MessageShape<Res>>;
  /** Calls `listener` on every later response. */
  onResponse(listener: (response: MessageShape<Res>) => void): void;
  /** Resolves when the server ends the stream, with its error if any. */
  readonly ended: Promise<ServiceError | undefined>;
  /** Stops reading responses, as a stuck client would: HTTP/2 flow control then stops the server. */
  pause(): void;
  resume(): void;
  close(): void;
}

function openStream<Req extends DescMessage, Res extends DescMessage>(
  method: string,
  requestSchema: Req,
  responseSchema: Res,
  address: string,
  credentials: ChannelCredentials,
  keepResponses: boolean,
  channelOptions: ChannelOptions = {},
): AdsStream<Req, Res> {
  const path = `/envoy.service.discovery.v3.AggregatedDiscoveryService/${method}`;
  const Client = makeGenericClientConstructor(
    {
      [method]: {
        path,
        requestStream: true,
        responseStream: true,
        requestSerialize: (message: MessageShape<Req>) => Buffer.from(toBinary(requestSchema, message)),
        requestDeserialize: (bytes: Buffer) => fromBinary(requestSchema, bytes),
        responseSerialize: (message: MessageShape<Res>) => Buffer.from(toBinary(responseSchema, message)),
        responseDeserialize: (bytes: Buffer) => fromBinary(responseSchema, bytes),
      },
    },
    "AggregatedDiscoveryService",
  );
  const client = new Client(address, credentials, channelOptions);
  const call = (client as unknown as Record<string, () => ClientDuplexStream<MessageShape<Req>, MessageShape<Res>>>)[method]!.call(client);
  const responses: MessageShape<Res>[] = [];
  const waiters = new Set<() => void>();
  const listeners: ((response: MessageShape<Res>) => void)[] = [];
  let consumed = 0;
  call.on("data", (response: MessageShape<Res>) => {
    if (keepResponses) responses.push(response);
    for (const listener of listeners) listener(response);
    for (const wake of waiters) wake();
  });
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on("error", (error: ServiceError) => resolve(error));
    call.on("end", () => resolve(undefined));
  });
  return {
    send: (request) => call.write(create(requestSchema, request)),
    responses,
    next: (predicate = () => true, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          while (consumed < responses.length) {
            const response = responses[consumed++]!;
            if (predicate(response)) {
              cleanup();
              resolve(response);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching ADS response within ${timeoutMs} ms (got ${responses.length})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    onResponse: (listener) => listeners.push(listener),
    ended,
    pause: () => call.pause(),
    resume: () => call.resume(),
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

/** `keepResponses: false` for long runs (benchmarks) that only use `onResponse`. */
export function sotwStream(address: string, credentials = ChannelCredentials.createInsecure(), keepResponses = true, channelOptions: ChannelOptions = {}) {
  return openStream("StreamAggregatedResources", DiscoveryRequestSchema, DiscoveryResponseSchema, address, credentials, keepResponses, channelOptions);
}

export function deltaStream(address: string, credentials = ChannelCredentials.createInsecure(), keepResponses = true) {
  return openStream("DeltaAggregatedResources", DeltaDiscoveryRequestSchema, DeltaDiscoveryResponseSchema, address, credentials, keepResponses);
}
