/**
 * One ShouldRateLimit call: count every descriptor's hit, answer OVER_LIMIT when any count is past
 * its quota, and give Envoy the headers for the client — RateLimit-Policy and RateLimit on every
 * answer (Envoy adds them to the upstream's response or to its 429), Retry-After on a 429.
 */
import { create } from "@bufbuild/protobuf";
import { type RateLimitRequest, type RateLimitResponse, RateLimitResponse_Code, RateLimitResponseSchema } from "../../generated/envoy/service/ratelimit/v3/rls_pb.js";
import { rateLimitHeader, rateLimitPolicyHeader } from "../xds/ratelimit-headers.ts";
import type { CounterStore } from "./counters.ts";
import { type CountedLimit, countedLimit } from "./descriptor.ts";

/** A descriptor this service did not write: the call fails, and Envoy applies the failure mode. */
export class UnknownDescriptorError extends Error {}

export async function decide(request: RateLimitRequest, store: CounterStore, nowMs: number): Promise<RateLimitResponse> {
  const limits = request.descriptors.map((descriptor) => countedLimit(request.domain, descriptor));
  if (limits.some((limit) => limit === undefined)) throw new UnknownDescriptorError("a descriptor that does not start with a Portcullis policy and quota");
  const counted = limits as CountedLimit[];
  const amount = request.hitsAddend > 0 ? request.hitsAddend : 1;
  const counts = await store.add(counted.map((limit) => ({ counter: limit.counter, periodSeconds: limit.periodSeconds, amount })), nowMs);
  const states = counted.map((limit, index) => {
    const { count, resetMs } = counts[index]!;
    return { limit, over: count > limit.requests, remaining: Math.max(0, limit.requests - count), resetSeconds: Math.ceil(resetMs / 1000) };
  });
  const over = states.filter((state) => state.over);
  const header = (key: string, value: string) => ({ key, value });
  return create(RateLimitResponseSchema, {
    overallCode: over.length > 0 ? RateLimitResponse_Code.OVER_LIMIT : RateLimitResponse_Code.OK,
    statuses: states.map((state) => ({
      code: state.over ? RateLimitResponse_Code.OVER_LIMIT : RateLimitResponse_Code.OK,
      limitRemaining: state.remaining,
      durationUntilReset: { seconds: BigInt(state.resetSeconds) },
    })),
    responseHeadersToAdd:
      states.length === 0
        ? []
        : [
            header("ratelimit-policy", rateLimitPolicyHeader(states.map((state) => state.limit))),
            header("ratelimit", rateLimitHeader(states.map((state) => ({ policy: state.limit.policy, remaining: state.remaining, resetSeconds: state.resetSeconds })))),
            ...(over.length > 0 ? [header("retry-after", String(Math.max(...over.map((state) => state.resetSeconds))))] : []),
          ],
  });
}
