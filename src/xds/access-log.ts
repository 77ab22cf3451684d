import type { JsonObject } from "@bufbuild/protobuf";
import { FileAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/file/v3/file_pb.js";
import { StdoutAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/stream/v3/stream_pb.js";
import type { AccessLogIR, IdentityHeadersIR } from "../model/ir.ts";
import { ADMITTING_IDENTITY, PEER_SPIFFE_ID } from "./filters/identity-headers.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { sortedJson, typedExtension } from "./proto.ts";

const route = (key: string) => `%METADATA(ROUTE:${METADATA_NAMESPACE}:${key})%`;
const header = (name: string) => `%REQ(${name})%`;

/**
 * One JSON object per request. Only the fields below are written: no request header is logged
 * except the request id, host, user agent and the gateway's own identity headers (set after
 * verification, client copies removed on arrival), and the path is logged without its query
 * string (which may carry an API key) — so Authorization, API keys and cookies can never appear.
 * A denial's reason is in response_code_details (jwt_authn_access_denied{...},
 * rbac_access_denied_matched_policy[none], api_key_auth's, local_rate_limited, ...).
 */
function accessLogFields(headers: IdentityHeadersIR, redactHeaders: readonly string[]): JsonObject {
  const fields: JsonObject = {
    time: "%START_TIME%",
    request_id: "%REQ(X-REQUEST-ID)%",
    api: route("api"),
    version: route("version"),
    route: "%ROUTE_NAME%",
    method: "%REQ(:METHOD)%",
    path: "%PATH(NQ:ORIG_OR_PATH)%",
    authority: "%REQ(:AUTHORITY)%",
    protocol: "%PROTOCOL%",
    status: "%RESPONSE_CODE%",
    response_flags: "%RESPONSE_FLAGS%",
    response_code_details: "%RESPONSE_CODE_DETAILS%",
    upstream_host: "%UPSTREAM_HOST%",
    upstream_cluster: "%UPSTREAM_CLUSTER%",
    duration_ms: "%DURATION%",
    bytes_received: "%BYTES_RECEIVED%",
    bytes_sent: "%BYTES_SENT%",
    client_address: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
    user_agent: "%REQ(USER-AGENT)%",
    identity: ADMITTING_IDENTITY,
    subject: header(headers.subject),
    consumer: header(headers.consumer),
    spiffe_id: PEER_SPIFFE_ID,
  };
  // audit.redactHeaders: a logged field that copies a named header is left out (Host is :authority).
  const redacted = new Set(redactHeaders.map((name) => (name === "host" ? ":authority" : name)));
  for (const [field, value] of Object.entries(fields)) {
    const copied = /^%REQ\(([^)]+)\)%$/.exec(String(value))?.[1]?.toLowerCase();
    if (copied !== undefined && redacted.has(copied)) delete fields[field];
  }
  return sortedJson(fields);
}

/** The access logger for every connection manager: stdout by default, or a file. */
export function accessLog(log: AccessLogIR, headers: IdentityHeadersIR) {
  const logFormat = { case: "logFormat" as const, value: { format: { case: "jsonFormat" as const, value: accessLogFields(headers, log.redactHeaders) } } };
  return log.destination === "stdout"
    ? typedExtension("envoy.access_loggers.stdout", StdoutAccessLogSchema, { accessLogFormat: logFormat })
    : typedExtension("envoy.access_loggers.file", FileAccessLogSchema, { path: log.destination, accessLogFormat: logFormat });
}
