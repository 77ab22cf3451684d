/**
 * The rate-limit service's gRPC server (envoy.service.ratelimit.v3): Envoy's ratelimit filter
 * calls ShouldRateLimit once per request that has a global limit.
 */
import { status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { RateLimitRequest, RateLimitResponse } from "../../generated/envoy/service/ratelimit/v3/rls_pb.js";
import { grpcAddress, startGrpcServer } from "../grpc/server.ts";
import type { Logger } from "../server/log.ts";
import type { CounterStore } from "./counters.ts";
import { decide, UnknownDescriptorError } from "./decide.ts";
import { rateLimitServiceDefinition } from "./rls-service.ts";

export interface RateLimitServiceOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly store: CounterStore;
  readonly log: Logger;
  /** The clock; tests and nothing else pass their own. */
  readonly now?: () => number;
}

export interface RunningRateLimitService {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

/** At most one log line per this many ms about a failing store: a down Redis fails every request. */
const STORE_ERROR_LOG_INTERVAL_MS = 10_000;

export async function startRateLimitService(options: RateLimitServiceOptions): Promise<RunningRateLimitService> {
  const { store, log } = options;
  const now = options.now ?? Date.now;
  let loggedAt = -Infinity;

  function shouldRateLimit(call: ServerUnaryCall<RateLimitRequest, RateLimitResponse>, callback: sendUnaryData<RateLimitResponse>): void {
    decide(call.request, store, now()).then(
      (response) => callback(null, response),
      (error: Error) => {
        // Never the descriptors themselves: they hold callers' identities and addresses.
        if (error instanceof UnknownDescriptorError) {
          log.error("rate-limit request with a descriptor Portcullis did not write", { domain: call.request.domain });
          callback({ code: GrpcStatus.INVALID_ARGUMENT, details: error.message });
          return;
        }
        if (now() - loggedAt > STORE_ERROR_LOG_INTERVAL_MS) {
          loggedAt = now();
          log.error("rate-limit counters cannot be reached; Envoy applies each limit's failureMode", { error: error.message });
        }
        callback({ code: GrpcStatus.UNAVAILABLE, details: "rate-limit counters cannot be reached" });
      },
    );
  }

  const server = await startGrpcServer({
    what: "the rate-limit service",
    address: grpcAddress(options.host, options.port),
    services: [{ definition: rateLimitServiceDefinition, implementation: { ShouldRateLimit: shouldRateLimit } }],
  });
  return { port: server.port, address: grpcAddress(options.host, server.port), close: () => server.close() };
}
