/**
 * Global rate limits: Envoy's ratelimit filter asks Portcullis's rate-limit service
 * (envoy.service.ratelimit.v3) about the descriptors of the route's limits
 * (ratelimit-descriptors.ts), one count for the whole fleet. Two filters, one per failure mode: a
 * route's limit carries the stage of its filter, and each filter only asks about its own stage, so
 * one route can have a limit that fails closed and another that fails open.
 */
import { ApiVersion } from "../../../generated/envoy/config/core/v3/config_source_pb.js";
import { RateLimitSchema } from "../../../generated/envoy/extensions/filters/http/ratelimit/v3/rate_limit_pb.js";
import { StatusCode } from "../../../generated/envoy/type/v3/http_status_pb.js";
import type { GatewayIR, RateLimitIR, RouteIR } from "../../model/ir.ts";
import { duration, typedExtension } from "../proto.ts";
import { limitActions, type RateLimitInit } from "../ratelimit-descriptors.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { someRoute } from "../../model/route-counts.ts";

const FILTER_TYPE = "envoy.filters.http.ratelimit";
const STAGE = { deny: 0, allow: 1 } as const;

/** The global limits on a route: its own, then its API's. */
export function globalLimits(route: RouteIR): RateLimitIR[] {
  return [route.rateLimit, route.apiRateLimit].filter((limit): limit is RateLimitIR => limit?.mode === "global");
}

/** The route's `rate_limits`: one entry per descriptor, staged by the limit's failure mode. */
export function routeRateLimits(route: RouteIR): RateLimitInit[] {
  return globalLimits(route).flatMap((limit) => limitActions(limit).map((actions) => ({ stage: STAGE[limit.failureMode], actions })));
}

function filter(failureMode: RateLimitIR["failureMode"]): HttpFilterModule {
  const limitedWithThisMode = (route: RouteIR) => globalLimits(route).some((limit) => limit.failureMode === failureMode);
  // Chain entries need distinct names; the config's type is what makes both the ratelimit filter.
  const name = failureMode === "deny" ? FILTER_TYPE : `${FILTER_TYPE}.fail_open`;
  return {
    name,
    chainEntry: (ir: GatewayIR) => {
      const service = ir.rateLimitService;
      if (!service || !someRoute(ir.routes, limitedWithThisMode)) return undefined;
      return typedExtension(name, RateLimitSchema, {
        domain: ir.name,
        stage: STAGE[failureMode],
        requestType: "both",
        timeout: duration(service.timeoutMs),
        failureModeDeny: failureMode === "deny",
        // 503, not Envoy's default 500: nothing is broken in the gateway, a service it needs is away.
        ...(failureMode === "deny" ? { statusOnError: { code: StatusCode.ServiceUnavailable } } : {}),
        rateLimitService: { grpcService: { targetSpecifier: { case: "envoyGrpc", value: { clusterName: service.cluster } } }, transportApiVersion: ApiVersion.V3 },
        statPrefix: failureMode === "deny" ? "global_rate_limit" : "global_rate_limit_fail_open",
      });
    },
  };
}

export const rateLimitFilter = filter("deny");
export const failOpenRateLimitFilter = filter("allow");
