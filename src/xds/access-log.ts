import type { JsonObject } from "@bufbuild/protobuf";
import { FileAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/file/v3/file_pb.js";
import { StdoutAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/stream/v3/stream_pb.js";
import type { AccessLogIR } from "../model/ir.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { sortedJson, typedExtension } from "./proto.ts";

const route = (key: string) => `%METADATA(ROUTE:${METADATA_NAMESPACE}:${key})%`;
const identity = (key: string) => `%DYNAMIC_METADATA(${METADATA_NAMESPACE}:${key})%`;

/**
 * One JSON object per request. Only the fields below are written: no request header is logged
 * except the request id, host and user agent, and the path is logged without its query string
 * (which may carry an API key) — so Authorization, API keys and cookies can never appear.
 */
export const ACCESS_LOG_FIELDS: JsonObject = sortedJson({
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
  identity: identity("identity"),
  subject: identity("subject"),
  consumer: identity("consumer"),
});

/** The access logger for every connection manager: stdout by default, or a file. */
export function accessLog(log: AccessLogIR) {
  const logFormat = { case: "logFormat" as const, value: { format: { case: "jsonFormat" as const, value: ACCESS_LOG_FIELDS } } };
  return log.destination === "stdout"
    ? typedExtension("envoy.access_loggers.stdout", StdoutAccessLogSchema, { accessLogFormat: logFormat })
    : typedExtension("envoy.access_loggers.file", FileAccessLogSchema, { path: log.destination, accessLogFormat: logFormat });
}
