import type { MessageInitShape } from "@bufbuild/protobuf";
import { type AccessLogFilterSchema, ComparisonFilter_Op } from "../../generated/envoy/config/accesslog/v3/accesslog_pb.js";
import { HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { LocalReplyConfigSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { aiReplyMappers } from "./ai-local-replies.ts";
import { mcpReplyMappers } from "./mcp-local-replies.ts";
import { sortedJson } from "./proto.ts";
import { rateLimitReplyHeaders, rateLimitServiceFailed } from "./ratelimit-headers.ts";

/** The denials the gateway answers itself, as RFC 9457 problem details. */
const PROBLEMS = [
  { status: 401, title: "Unauthorized", detail: "A valid credential is required: a token, an API key or a client certificate, as this API asks." },
  { status: 403, title: "Forbidden", detail: "The credential is valid, but no access rule of this route admits the caller." },
  { status: 405, title: "Method Not Allowed", detail: "This path does not take this method; the Allow header lists those it takes." },
  { status: 429, title: "Too Many Requests", detail: "The rate limit of this route is exhausted; retry later." },
  // Only for a rate-limit service that failed (failureMode: deny), not Envoy's other 503s: see rateLimitServiceFailed.
  { status: 503, title: "Service Unavailable", detail: "The rate-limit service could not be asked, and this route's limit fails closed; retry later." },
] as const;

export function statusIs(status: number) {
  // The runtime key is required by Envoy; nothing sets it, so the default value applies.
  return { filterSpecifier: { case: "statusCodeFilter" as const, value: { comparison: { op: ComparisonFilter_Op.EQ, value: { defaultValue: status, runtimeKey: `portcullis.local_reply.${status}` } } } } };
}

/**
 * Denials get a small application/problem+json body: the status, what it means, the filter's
 * own reason code (`%RESPONSE_CODE_DETAILS%`, e.g. jwt_authn_access_denied{Jwt_is_missing}) and
 * the request id to quote to an operator — never the credential. A 401's WWW-Authenticate names
 * the schemes this gateway takes (Bearer for tokens, ApiKey for keys). It replaces jwt_authn's own,
 * whose realm is the request URL, query string included: a token sent in the query would come
 * back in the challenge.
 * Only these statuses are mapped: retired versions (410) answer with a body of their own. The 405
 * routes (route-methods.ts) carry no body: this one mapper gives them theirs.
 */
export function localReplyConfig(ir: GatewayIR): MessageInitShape<typeof LocalReplyConfigSchema> {
  const challenges = [...(ir.jwtProviders.length > 0 ? ['Bearer realm="portcullis"'] : []), ...(ir.apiKeyProviders.length > 0 ? ['ApiKey realm="portcullis"'] : [])];
  return {
    // MCP endpoints first: their own challenge and JSON-RPC errors (the first mapper that matches applies).
    mappers: [
      ...mcpReplyMappers(ir, problemMapper),
      ...aiReplyMappers(ir),
      ...PROBLEMS.filter((problem) => problem.status !== 503).map((problem) => problemMapper(problem.status, statusIs(problem.status), challenges, problem.status === 429 ? rateLimitReplyHeaders(ir) : [])),
      ...(ir.rateLimitService ? [problemMapper(503, rateLimitServiceFailed(), [])] : []),
    ],
  };
}

/** The problem+json answer for one of PROBLEMS' statuses when `filter` holds, with these 401 challenges. */
function problemMapper(status: ProblemStatus, filter: ReplyFilter, challenges: readonly string[], headers: readonly ReplyHeader[] = []) {
  const { title, detail } = PROBLEMS.find((problem) => problem.status === status)!;
  return {
    filter,
    bodyFormatOverride: {
      format: {
        case: "jsonFormat" as const,
        value: sortedJson({ type: "about:blank", title, status, detail, reason: "%RESPONSE_CODE_DETAILS%", request_id: "%REQ(X-REQUEST-ID)%" }),
      },
      contentType: "application/problem+json",
    },
    headersToAdd: [
      ...(status === 401 && challenges.length > 0
        ? [{ header: { key: "www-authenticate", value: challenges.join(", ") }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD }]
        : []),
      ...headers,
    ],
  };
}

type ReplyHeader = ReturnType<typeof rateLimitReplyHeaders>[number];
export type ProblemStatus = (typeof PROBLEMS)[number]["status"];
export type ReplyFilter = MessageInitShape<typeof AccessLogFilterSchema>;
export type ProblemMapper = typeof problemMapper;
