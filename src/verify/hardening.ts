/**
 * Every connection manager carries the hardening settings of src/xds/http-connection-manager.ts:
 * what each one blocks is said there. Settings whose safe value is the proto default (OVERWRITE,
 * SANITIZE) are checked too, so a later change to a weaker value is caught.
 */
import type { Duration } from "@bufbuild/protobuf/wkt";
import { HttpProtocolOptions_HeadersWithUnderscoresAction as Underscores } from "../../generated/envoy/config/core/v3/protocol_pb.js";
import {
  type HttpConnectionManager,
  HttpConnectionManager_ForwardClientCertDetails as ClientCert,
  HttpConnectionManager_PathWithEscapedSlashesAction as EscapedSlashes,
  HttpConnectionManager_ServerHeaderTransformation as ServerHeader,
} from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { VerifyExpectations } from "./expectations.ts";
import type { ConnectionManager } from "./resources.ts";
import type { Violations } from "./violations.ts";

const positive = (d: Duration | undefined): boolean => d !== undefined && (d.seconds > 0n || d.nanos > 0);

interface Setting {
  /** The field, as Envoy names it. */
  readonly field: string;
  /** What it must be, for the finding. */
  readonly must: string;
  holds(hcm: HttpConnectionManager, expected: VerifyExpectations): boolean;
}

export const HARDENING_SETTINGS: readonly Setting[] = [
  { field: "normalize_path", must: "true", holds: (hcm) => hcm.normalizePath === true },
  { field: "merge_slashes", must: "true", holds: (hcm) => hcm.mergeSlashes },
  {
    field: "path_with_escaped_slashes_action",
    must: "REJECT_REQUEST or UNESCAPE_AND_*",
    holds: (hcm) => [EscapedSlashes.REJECT_REQUEST, EscapedSlashes.UNESCAPE_AND_REDIRECT, EscapedSlashes.UNESCAPE_AND_FORWARD].includes(hcm.pathWithEscapedSlashesAction),
  },
  {
    field: "common_http_protocol_options.headers_with_underscores_action",
    must: "REJECT_REQUEST or DROP_HEADER",
    holds: (hcm) => [Underscores.REJECT_REQUEST, Underscores.DROP_HEADER].includes(hcm.commonHttpProtocolOptions?.headersWithUnderscoresAction ?? Underscores.ALLOW),
  },
  { field: "common_http_protocol_options.idle_timeout", must: "a positive duration", holds: (hcm) => positive(hcm.commonHttpProtocolOptions?.idleTimeout) },
  { field: "use_remote_address", must: "true", holds: (hcm) => hcm.useRemoteAddress === true },
  { field: "xff_num_trusted_hops", must: "the config's trustedProxyHops", holds: (hcm, expected) => hcm.xffNumTrustedHops === expected.trustedProxyHops },
  { field: "max_request_headers_kb", must: "set", holds: (hcm) => (hcm.maxRequestHeadersKb ?? 0) > 0 },
  { field: "request_headers_timeout", must: "a positive duration", holds: (hcm) => positive(hcm.requestHeadersTimeout) },
  { field: "stream_idle_timeout", must: "a positive duration", holds: (hcm) => positive(hcm.streamIdleTimeout) },
  { field: "http2_protocol_options.max_concurrent_streams", must: "set", holds: (hcm) => (hcm.http2ProtocolOptions?.maxConcurrentStreams ?? 0) > 0 },
  { field: "strip_any_host_port", must: "true", holds: (hcm) => hcm.stripPortMode.case === "stripAnyHostPort" && hcm.stripPortMode.value },
  { field: "strip_trailing_host_dot", must: "true", holds: (hcm) => hcm.stripTrailingHostDot },
  { field: "server_header_transformation", must: "OVERWRITE", holds: (hcm) => hcm.serverHeaderTransformation === ServerHeader.OVERWRITE },
  {
    field: "forward_client_cert_details",
    must: "SANITIZE or SANITIZE_SET",
    holds: (hcm) => hcm.forwardClientCertDetails === ClientCert.SANITIZE || hcm.forwardClientCertDetails === ClientCert.SANITIZE_SET,
  },
];

export function verifyHardening(managers: readonly ConnectionManager[], expected: VerifyExpectations, out: Violations): void {
  for (const { listener, at, hcm } of managers) {
    for (const setting of HARDENING_SETTINGS) {
      if (!setting.holds(hcm, expected)) out.add("PCL6020", { kind: "Listener", name: listener.name }, `${at}.${setting.field}`, `must be ${setting.must}.`);
    }
  }
}
