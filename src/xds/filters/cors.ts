import { CorsPolicySchema, CorsSchema } from "../../../generated/envoy/extensions/filters/http/cors/v3/cors_pb.js";
import type { RouteIR } from "../../model/ir.ts";
import { escapeRegex, packed, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { someRoute } from "../../model/route-counts.ts";

const takesCors = (route: RouteIR) => Boolean(route.cors);

const NAME = "envoy.filters.http.cors";


/** `https://*.example.com` allows exactly one subdomain level; anything else is matched exactly. */
function originMatcher(origin: string) {
  const star = origin.indexOf("*.");
  if (star === -1) return { matchPattern: { case: "exact" as const, value: origin } };
  const regex = `^${escapeRegex(origin.slice(0, star))}[^./]+${escapeRegex(origin.slice(star + 1))}$`;
  return { matchPattern: { case: "safeRegex" as const, value: { regex } } };
}

function routePolicy(route: RouteIR) {
  const cors = route.cors;
  if (!cors) return undefined;
  return packed(CorsPolicySchema, {
    allowOriginStringMatch: cors.origins.map(originMatcher),
    allowMethods: cors.methods.join(","),
    allowHeaders: cors.headers.join(","),
    exposeHeaders: cors.exposeHeaders.join(","),
    maxAge: String(cors.maxAgeSeconds),
    allowCredentials: cors.credentials,
  });
}

/** Browser cross-origin policy, per route; routes without `cors` get no CORS headers. */
export const corsFilter: HttpFilterModule = {
  name: NAME,
  chainEntry: (ir) => (someRoute(ir.routes, takesCors) ? typedExtension(NAME, CorsSchema, {}) : undefined),
  perRoute: routePolicy,
};
