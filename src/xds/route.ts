import type { MessageInitShape } from "@bufbuild/protobuf";
import { HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { RouteSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { UriTemplateMatchConfigSchema } from "../../generated/envoy/extensions/path/match/uri_template/v3/uri_template_match_pb.js";
import { PreviousPrioritiesConfigSchema } from "../../generated/envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config_pb.js";
import { UriTemplateRewriteConfigSchema } from "../../generated/envoy/extensions/path/rewrite/uri_template/v3/uri_template_rewrite_pb.js";
import type { ForwardActionIR, HeaderMatchIR, LifecycleIR, RouteIR, RouteMatchIR } from "../model/ir.ts";
import { AI_PROCESSOR_ACTION, aiRouteFields } from "./ai-routes.ts";
import { HTTP_FILTER_MODULES } from "./filters/order.ts";
import { routeRateLimits } from "./filters/ratelimit.ts";
import { mcpRouteFields } from "./mcp-routes.ts";
import { apiMetadata } from "./route-metadata.ts";
import { methodMatcher } from "./route-methods.ts";
import { duration, escapeRegex, sortedRecord, typedExtension, typedExtensionConfig } from "./proto.ts";

type RouteInit = MessageInitShape<typeof RouteSchema>;

function headerMatcher(header: HeaderMatchIR) {
  if (header.absent) return { name: header.name, headerMatchSpecifier: { case: "presentMatch" as const, value: true }, invertMatch: true };
  if (header.value === undefined) return { name: header.name, headerMatchSpecifier: { case: "presentMatch" as const, value: true } };
  return { name: header.name, headerMatchSpecifier: { case: "stringMatch" as const, value: { matchPattern: { case: "exact" as const, value: header.value } } } };
}

function pathSpecifier(match: RouteMatchIR): RouteInit["match"] extends infer M ? (M extends { pathSpecifier?: infer P } ? P : never) : never {
  switch (match.kind) {
    case "exact":
      // One matcher for both spellings, so `/v1/orders/` gets exactly the route (and access) of `/v1/orders`.
      return match.trailingSlash ? { case: "safeRegex", value: { regex: `${escapeRegex(match.path)}/?` } } : { case: "path", value: match.path };
    case "template":
      return {
        case: "pathMatchPolicy",
        value: typedExtensionConfig("envoy.path.match.uri_template.uri_template_matcher", UriTemplateMatchConfigSchema, { pathTemplate: match.path }),
      };
    case "prefix":
      // Whole segments only: /v1/orders must not also take /v1/orders-admin.
      return match.path === "/" ? { case: "prefix", value: "/" } : { case: "pathSeparatedPrefix", value: match.path };
  }
}

/** The route's path and header conditions, without its methods (the 405 routes of route-methods.ts share it). */
export function pathAndHeaders(match: RouteMatchIR) {
  return { pathSpecifier: pathSpecifier(match), headers: match.headers.map(headerMatcher) };
}

function routeMatch(route: RouteIR) {
  const conditions = pathAndHeaders(route.match);
  return { ...conditions, headers: [...methodMatcher(route), ...conditions.headers] };
}

/** RouteAction.timeout when it is not set. */
const ENVOY_ROUTE_TIMEOUT_MS = 15_000;

function forward(action: ForwardActionIR) {
  const { rewrite, retry } = action;
  return {
    clusterSpecifier: { case: "cluster" as const, value: action.cluster },
    // Envoy's own default is 15 s: written only when it differs, since every byte of a route is paid for on each route update.
    ...(action.timeoutMs === ENVOY_ROUTE_TIMEOUT_MS ? {} : { timeout: duration(action.timeoutMs) }),
    ...(rewrite?.prefix !== undefined ? { prefixRewrite: rewrite.prefix } : {}),
    ...(rewrite?.template !== undefined
      ? { pathRewritePolicy: typedExtensionConfig("envoy.path.rewrite.uri_template.uri_template_rewriter", UriTemplateRewriteConfigSchema, { pathTemplateRewrite: rewrite.template }) }
      : {}),
    ...(rewrite?.host !== undefined ? { hostRewriteSpecifier: { case: "hostRewriteLiteral" as const, value: rewrite.host } } : {}),
    ...(retry
      ? {
          retryPolicy: {
            retryOn: retry.on.join(","),
            numRetries: retry.attempts,
            ...(retry.perTryTimeoutMs ? { perTryTimeout: duration(retry.perTryTimeoutMs) } : {}),
            retriableStatusCodes: [...retry.statusCodes],
            // A chain's attempts are its cluster's priorities, one each: every retry takes the next (src/xds/ai-chain-cluster.ts).
            ...(retry.nextPriorityEachTry ? { retryPriority: typedExtension("envoy.retry_priorities.previous_priorities", PreviousPrioritiesConfigSchema, { updateFrequency: 1 }) } : {}),
          },
        }
      : {}),
  };
}

const setHeader = (key: string, value: string) => ({ header: { key, value }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD });

/** RFC 9745 Deprecation, RFC 8594 Sunset and the successor link on deprecated versions. */
function lifecycleHeaders(lifecycle: LifecycleIR) {
  if (lifecycle.state !== "deprecated") return [];
  return [
    ...(lifecycle.deprecatedAt !== undefined ? [setHeader("deprecation", `@${lifecycle.deprecatedAt}`)] : []),
    ...(lifecycle.sunset !== undefined ? [setHeader("sunset", lifecycle.sunset)] : []),
    ...(lifecycle.successor ? [setHeader("link", `<${lifecycle.successor.link}>; rel="successor-version"`)] : []),
  ];
}

/**
 * One Envoy route for one IR route: match, action, lifecycle headers, per-filter config, metadata.
 * The metadata is only what runs in Envoy reads, the access log's `api` and `version` (left to the
 * virtual host where it can carry them, route-metadata.ts): Envoy pays for every metadata field on
 * every route update (measured ~7 ms per field at 3,000 routes), so review data (lifecycle, access)
 * lives in the generated index instead (route-summary.ts), and there is no `route` key: the route's
 * name already says it (`%ROUTE_NAME%`).
 */
export function route(route: RouteIR): RouteInit {
  const perFilter = HTTP_FILTER_MODULES.flatMap((module) => {
    const config = module.perRoute?.(route);
    return config ? [[module.name, config] as const] : [];
  });
  const action = route.action;
  return {
    name: route.id,
    match: routeMatch(route),
    action:
      action.kind === "forward"
        ? { case: "route", value: { ...forward(action), rateLimits: routeRateLimits(route) } }
        : action.kind === "gone"
          ? { case: "directResponse", value: { status: 410, body: { specifier: { case: "inlineString", value: action.body } } } }
          : action.kind === "respond"
            ? { case: "directResponse", value: { status: 200, body: { specifier: { case: "inlineString", value: action.body } } } }
            : AI_PROCESSOR_ACTION,
    responseHeadersToAdd: [
      ...lifecycleHeaders(route.lifecycle),
      ...(action.kind === "gone" ? [setHeader("content-type", "application/problem+json")] : []),
      ...(action.kind === "respond" ? [setHeader("content-type", action.contentType)] : []),
    ],
    ...aiRouteFields(route),
    ...mcpRouteFields(route),
    typedPerFilterConfig: sortedRecord(perFilter),
    metadata: apiMetadata(route),
  };
}
