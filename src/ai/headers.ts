/**
 * Which headers cross between client and provider. Requests: only content negotiation and tracing
 * headers go on; the client's credentials (Authorization, x-api-key, api-key), cookies, the
 * gateway's identity headers and vendor headers that would pick another account (OpenAI-Organization)
 * never reach a provider; Accept-Encoding goes too, so answers arrive readable. Responses: account
 * details and cookies of the gateway's provider account never reach the client.
 */
import { ROUTE_SCOPE_HEADER } from "../model/route-scope-header.ts";
import type { Mutation } from "./ext-proc-messages.ts";
import type { ResponseBody } from "./response-body.ts";

const FORWARDED_REQUEST_HEADERS = new Set([
  "accept",
  "content-type",
  "content-length",
  "user-agent",
  "x-request-id",
  "traceparent",
  "tracestate",
  // Envoy sets it from the connection, and its route matching needs it: without it the request matches no route once the processor has the route cache cleared.
  "x-forwarded-proto",
]);

/**
 * Headers Envoy does not let a processor change: routing (Host), and its own x-envoy-* ones; and
 * the route scope key, which Envoy reads again when the processor clears the route cache (each
 * scope's route configuration removes it before the provider).
 */
const untouchable = (name: string) => name.startsWith(":") || name === "host" || name.startsWith("x-envoy-") || name === ROUTE_SCOPE_HEADER;

/** The client request headers to remove before the request goes to a provider. */
export function providerRequestHeaders(headers: ReadonlyMap<string, string>): { remove: string[] } {
  return { remove: [...headers.keys()].filter((name) => !untouchable(name) && !FORWARDED_REQUEST_HEADERS.has(name)).sort() };
}

const HIDDEN_RESPONSE_HEADERS = ["openai-organization", "openai-project", "set-cookie", "anthropic-organization-id"];

/** The provider's response headers as the client gets them. */
export function providerResponseHeaders(headers: ReadonlyMap<string, string>, body: ResponseBody): Mutation {
  const remove = HIDDEN_RESPONSE_HEADERS.filter((name) => headers.has(name));
  // A rewritten body has another length; Envoy then frames it itself (chunked, or HTTP/2 frames).
  if (body.rewritten && headers.has("content-length")) remove.push("content-length");
  // A translated stream is server-sent events whatever the provider streamed (Bedrock: the AWS event stream).
  return { remove, ...(body.rewritten ? { set: { "content-type": body.streamed ? "text/event-stream; charset=utf-8" : "application/json" } } : {}) };
}
