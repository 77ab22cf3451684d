/** What AI routes (src/model/resolve-ai.ts) add to an Envoy route beyond match, action and filters. */
import { RouteAction_ClusterNotFoundResponseCode } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import type { RouteIR } from "../model/ir.ts";
import { AI_UPSTREAM_PATH_HEADER } from "../ai/providers/upstream-path.ts";
import { AI_ROUTE_HEADER } from "../model/resolve-ai.ts";

/**
 * The processor reads a chat request whole; a long conversation, or one with images, is far above
 * the listener's connection buffer (32 KiB by default), which would otherwise cap it.
 */
export const AI_REQUEST_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** The body-size allowance of chat routes (Envoy also keeps the body this long for a chain's retries); provider and chain routes also drop the header that selected them. */
export function aiRouteFields(route: RouteIR) {
  if (!route.ai) return {};
  return {
    ...(route.ai.endpoint !== "models" ? { requestBodyBufferLimit: BigInt(AI_REQUEST_BODY_LIMIT_BYTES) } : {}),
    ...(route.ai.chain ? { requestHeadersToRemove: [AI_ROUTE_HEADER] } : {}),
    ...(route.ai.provider ? { requestHeadersToRemove: route.match.headers.some((header) => header.name === AI_UPSTREAM_PATH_HEADER) ? [AI_ROUTE_HEADER, AI_UPSTREAM_PATH_HEADER] : [AI_ROUTE_HEADER] } : {}),
  };
}

/**
 * The action of an AI route the processor answers or re-routes. It forwards to the cluster the
 * provider header names, which only the processor sets: a request it neither answered nor routed
 * fails closed with 500. (A direct response would do the same, but Envoy applies a route's body
 * buffer limit only to routes that forward.)
 */
export const AI_PROCESSOR_ACTION = {
  case: "route" as const,
  value: {
    clusterSpecifier: { case: "clusterHeader" as const, value: AI_ROUTE_HEADER },
    clusterNotFoundResponseCode: RouteAction_ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR,
  },
};
