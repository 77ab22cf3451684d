import { FractionalPercent_DenominatorType } from "../../../generated/envoy/type/v3/percent_pb.js";
import { LocalRateLimitSchema } from "../../../generated/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit_pb.js";
import type { RouteIR } from "../../model/ir.ts";
import { duration, packed, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";

const NAME = "envoy.filters.http.local_ratelimit";
const STAT_PREFIX = "route_rate_limit";
const EVERY_REQUEST = { defaultValue: { numerator: 100, denominator: FractionalPercent_DenominatorType.HUNDRED }, runtimeKey: "portcullis.rate_limit.enabled" };

function routeBucket(route: RouteIR) {
  const limit = route.rateLimit;
  if (!limit) return undefined;
  return packed(LocalRateLimitSchema, {
    statPrefix: STAT_PREFIX,
    tokenBucket: { maxTokens: limit.requests, tokensPerFill: limit.requests, fillInterval: duration(limit.periodSeconds * 1000) },
    filterEnabled: EVERY_REQUEST,
    filterEnforced: { ...EVERY_REQUEST, runtimeKey: "portcullis.rate_limit.enforced" },
  });
}

/** Per-route token buckets; the chain entry has no bucket, so routes without a limit are not limited. */
export const localRateLimitFilter: HttpFilterModule = {
  name: NAME,
  chainEntry: (ir) => (ir.routes.some((route) => route.rateLimit) ? typedExtension(NAME, LocalRateLimitSchema, { statPrefix: STAT_PREFIX }) : undefined),
  perRoute: routeBucket,
};
