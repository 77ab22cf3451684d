import type { MessageInitShape } from "@bufbuild/protobuf";
import { ComparisonFilter_Op } from "../../generated/envoy/config/accesslog/v3/accesslog_pb.js";
import { HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { LocalReplyConfigSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { sortedJson } from "./proto.ts";

/** The denials the gateway answers itself, as RFC 9457 problem details. */
const PROBLEMS = [
  { status: 401, title: "Unauthorized", detail: "A valid credential is required: a token, an API key or a client certificate, as this API asks." },
  { status: 403, title: "Forbidden", detail: "The credential is valid, but no access rule of this route admits the caller." },
  { status: 405, title: "Method Not Allowed", detail: "This path does not take this method; the Allow header lists those it takes." },
  { status: 429, title: "Too Many Requests", detail: "The rate limit of this route is exhausted; retry later." },
] as const;

function statusIs(status: number) {
  // The runtime key is required by Envoy; nothing sets it, so the default value applies.
  return { filterSpecifier: { case: "statusCodeFilter" as const, value: { comparison: { op: ComparisonFilter_Op.EQ, value: { defaultValue: status, runtimeKey: `portcullis.local_reply.${status}` } } } } };
}

/**
 * Denials get a small application/problem+json body: the status, what it means, the filter's
 * own reason code (`%RESPONSE_CODE_DETAILS%`, e.g. jwt_authn_access_denied{Jwt_is_missing}) and
 * the request id to quote to an operator — never the credential. A 401 says which scheme the
 * gateway expects: jwt_authn sends its own `Bearer`; a 401 without one came from an API-key check.
 * Only these statuses are mapped: retired versions (410) answer with a body of their own. The 405
 * routes (route-methods.ts) carry no body: this one mapper gives them theirs.
 */
export function localReplyConfig(): MessageInitShape<typeof LocalReplyConfigSchema> {
  return {
    mappers: PROBLEMS.map(({ status, title, detail }) => ({
      filter: statusIs(status),
      bodyFormatOverride: {
        format: {
          case: "jsonFormat",
          value: sortedJson({ type: "about:blank", title, status, detail, reason: "%RESPONSE_CODE_DETAILS%", request_id: "%REQ(X-REQUEST-ID)%" }),
        },
        contentType: "application/problem+json",
      },
      headersToAdd:
        status === 401
          ? [{ header: { key: "www-authenticate", value: 'ApiKey realm="portcullis"' }, appendAction: HeaderValueOption_HeaderAppendAction.ADD_IF_ABSENT }]
          : [],
    })),
  };
}
