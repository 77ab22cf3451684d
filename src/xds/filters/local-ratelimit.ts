import { HeaderValueOption_HeaderAppendAction } from "../../../generated/envoy/config/core/v3/base_pb.js";
import { FractionalPercent_DenominatorType } from "../../../generated/envoy/type/v3/percent_pb.js";
import { LocalRateLimitSchema } from "../../../generated/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit_pb.js";
import type { RateLimitIR, RouteIR } from "../../model/ir.ts";
import { duration, packed, typedExtension } from "../proto.ts";
import { rateLimitPolicyHeader } from "../ratelimit-headers.ts";
import { limitActions, limitDescriptorEntries } from "../ratelimit-descriptors.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { limitedLocally, someRoute } from "../../model/route-counts.ts";

const NAME = "envoy.filters.http.local_ratelimit";
const STAT_PREFIX = "route_rate_limit";
const EVERY_REQUEST = { defaultValue: { numerator: 100, denominator: FractionalPercent_DenominatorType.HUNDRED }, runtimeKey: "portcullis.rate_limit.enabled" };
/**
 * Distinct keys (client addresses, callers) one Envoy tracks per limit; beyond that the least
 * recently seen key's bucket is dropped and starts full again when it returns.
 */
export const MAX_LOCAL_KEYS = 10_000;

const localLimit = (route: RouteIR): RateLimitIR | undefined => (route.rateLimit?.mode === "local" ? route.rateLimit : undefined);

function bucket(limit: RateLimitIR) {
  return { maxTokens: limit.requests, tokensPerFill: limit.requests, fillInterval: duration(limit.periodSeconds * 1000) };
}

/**
 * A route's own limit, counted in each Envoy (per Envoy: a fleet admits N times the limit). Keyed
 * limits get a bucket per distinct key value (local_ratelimit's dynamic descriptors); a request
 * that yields no key (none can: resolve refuses keys a route's callers may lack) would fall back
 * to the route's shared bucket of the same size, never to no limit.
 */
function routeBucket(route: RouteIR) {
  const limit = localLimit(route);
  if (!limit) return undefined;
  const keyed = limit.by !== "global";
  return packed(LocalRateLimitSchema, {
    statPrefix: STAT_PREFIX,
    tokenBucket: bucket(limit),
    filterEnabled: EVERY_REQUEST,
    filterEnforced: { ...EVERY_REQUEST, runtimeKey: "portcullis.rate_limit.enforced" },
    enableRetryAfterHeader: true,
    // Static, so it can only be on the 429; the RateLimit field is completed by the local reply (ratelimit-headers.ts).
    responseHeadersToAdd: [{ header: { key: "ratelimit-policy", value: rateLimitPolicyHeader([limit]) }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD }],
    ...(keyed
      ? {
          // The filter's own list: the route's rate_limits are the global filter's.
          rateLimits: limitActions(limit).map((actions) => ({ actions })),
          descriptors: limitDescriptorEntries(limit).map((entries) => ({ entries, tokenBucket: bucket(limit) })),
          alwaysConsumeDefaultTokenBucket: false,
          maxDynamicDescriptors: MAX_LOCAL_KEYS,
        }
      : {}),
  });
}

/** Per-route token buckets; the chain entry has no bucket, so routes without a local limit are not limited. */
export const localRateLimitFilter: HttpFilterModule = {
  name: NAME,
  chainEntry: (ir) => (someRoute(ir.routes, limitedLocally) ? typedExtension(NAME, LocalRateLimitSchema, { statPrefix: STAT_PREFIX }) : undefined),
  perRoute: routeBucket,
};
