import type { JsonObject } from "@bufbuild/protobuf";
import { ApiVersion } from "../../generated/envoy/config/core/v3/config_source_pb.js";
import { FileAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/file/v3/file_pb.js";
import { HttpGrpcAccessLogConfigSchema } from "../../generated/envoy/extensions/access_loggers/grpc/v3/als_pb.js";
import { StdoutAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/stream/v3/stream_pb.js";
import type { AccessLogIR, AuditStoreIR, GatewayIR, IdentityHeadersIR, ListenerIR } from "../model/ir.ts";
import { ADMITTING_IDENTITY, PEER_SPIFFE_ID } from "./filters/identity-headers.ts";
import { METADATA_NAMESPACE } from "./gateway-headers.ts";
import { grpcServiceCluster } from "./grpc-service-cluster.ts";
import { metadataOnHosts } from "./route-metadata.ts";
import { duration, sortedJson, typedExtension } from "./proto.ts";

/** A key of the `api`/`version` metadata, from the route or from its virtual host (route-metadata.ts). */
const metadata = (from: "ROUTE" | "VIRTUAL_HOST", key: string) => `%METADATA(${from}:${METADATA_NAMESPACE}:${key})%`;
const header = (name: string) => `%REQ(${name})%`;

/**
 * One JSON object per request. Only the fields below are written: no request header is logged
 * except the request id, host, user agent and the gateway's own identity headers (set after
 * verification, client copies removed on arrival), and the path is logged without its query
 * string (which may carry an API key) — so Authorization, API keys and cookies can never appear.
 * A denial's reason is in response_code_details (jwt_authn_access_denied{...},
 * rbac_access_denied_matched_policy[none], api_key_auth's, local_rate_limited, ...).
 */
function accessLogFields(headers: IdentityHeadersIR, redactHeaders: readonly string[], from: "ROUTE" | "VIRTUAL_HOST"): JsonObject {
  const fields: JsonObject = {
    time: "%START_TIME%",
    request_id: "%REQ(X-REQUEST-ID)%",
    api: metadata(from, "api"),
    version: metadata(from, "version"),
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

/** The stdout or file access log; `api` and `version` from the route's metadata or its virtual host's. */
export function accessLog(log: AccessLogIR, headers: IdentityHeadersIR, metadataFrom: "ROUTE" | "VIRTUAL_HOST") {
  const logFormat = { case: "logFormat" as const, value: { format: { case: "jsonFormat" as const, value: accessLogFields(headers, log.redactHeaders, metadataFrom) } } };
  return log.destination === "stdout"
    ? typedExtension("envoy.access_loggers.stdout", StdoutAccessLogSchema, { accessLogFormat: logFormat })
    : typedExtension("envoy.access_loggers.file", FileAccessLogSchema, { path: log.destination, accessLogFormat: logFormat });
}

/** The custom tags of an audit entry: the route's API and version, from its metadata. */
const AUDIT_ROUTE_TAGS = ["api", "version"] as const;

/** Envoy sends what it buffered this often, or sooner when the buffer fills. */
export const AUDIT_FLUSH_INTERVAL_MS = 1_000;
/** What Envoy buffers per worker for the receiver; beyond it (a receiver that is down or slow) entries are dropped and counted. */
export const AUDIT_BUFFER_BYTES = 64 * 1024;
/**
 * The gRPC access log for the audit store (src/audit). Envoy's HTTP entry always carries the
 * request line, addresses, TLS and dynamic metadata; of the request headers it carries only those
 * named here: the gateway's identity headers (set after verification) that audit.redactHeaders
 * does not name — never Authorization, an API key or a cookie. The receiver keeps only what a
 * record needs (the path without its query string, no dynamic metadata but the admitting rule).
 * The route's API and version come as custom tags, read from wherever its table carries them
 * (route-metadata.ts), and with them the receiver turns the route's name into its id.
 */
function auditAccessLog(store: AuditStoreIR, gateway: string, headers: IdentityHeadersIR, redact: readonly string[], metadataFrom: "ROUTE" | "VIRTUAL_HOST") {
  const identityHeaders = [headers.identity, headers.subject, headers.consumer, headers.spiffeId].filter((name) => !redact.includes(name));
  return typedExtension("envoy.access_loggers.http_grpc", HttpGrpcAccessLogConfigSchema, {
    commonConfig: {
      logName: gateway,
      grpcService: { targetSpecifier: { case: "envoyGrpc", value: { clusterName: store.cluster } } },
      transportApiVersion: ApiVersion.V3,
      bufferFlushInterval: duration(AUDIT_FLUSH_INTERVAL_MS),
      bufferSizeBytes: AUDIT_BUFFER_BYTES,
      customTags: AUDIT_ROUTE_TAGS.map((tag) => ({ tag, type: { case: "value" as const, value: metadata(metadataFrom, tag) } })),
    },
    additionalRequestHeadersToLog: [...new Set(identityHeaders)].sort(),
  });
}

/** The access loggers of a listener's connection manager: stdout or a file, and the audit store's unless it is off. */
export function accessLogs(ir: GatewayIR, listener: ListenerIR) {
  const log = ir.accessLog;
  const metadataFrom = metadataOnHosts(ir, listener) ? "VIRTUAL_HOST" : "ROUTE";
  return [accessLog(log, ir.identityHeaders, metadataFrom), ...(log.store ? [auditAccessLog(log.store, ir.name, ir.identityHeaders, log.redactHeaders, metadataFrom)] : [])];
}

/** The cluster that reaches the audit receiver, when the audit store is on. */
export function auditReceiverClusters(ir: GatewayIR) {
  const store = ir.accessLog.store;
  return store ? [grpcServiceCluster(store.cluster, store.receiver.host, store.receiver.port)] : [];
}
