import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  HttpConnectionManager_CodecType,
  HttpConnectionManager_ForwardClientCertDetails,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  HttpConnectionManager_ServerHeaderTransformation,
  type HttpConnectionManagerSchema,
} from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { HttpProtocolOptions_HeadersWithUnderscoresAction } from "../../generated/envoy/config/core/v3/protocol_pb.js";
import type { GatewayIR, ListenerIR } from "../model/ir.ts";
import { accessLogs } from "./access-log.ts";
import { clientHeaderRemoval } from "./client-header-removal.ts";
import { httpFilterChain } from "./filters/order.ts";
import { localReplyConfig } from "./local-replies.ts";
import { listenerScopes, routeScopeKeyHeader, scopedRoutes } from "./route-scopes.ts";
import { ADS, duration } from "./proto.ts";

/**
 * The connection manager of a listener, hardened per Envoy's "Configuring Envoy as an edge proxy"
 * best practices. Routes come over ADS: from RDS, the route configuration with the listener's name,
 * or from route scopes (SRDS) and their route configurations (route-scopes.ts).
 */
export function httpConnectionManager(ir: GatewayIR, listener: ListenerIR): MessageInitShape<typeof HttpConnectionManagerSchema> {
  const depth = listenerScopes(ir, listener)?.depth;
  return {
    statPrefix: listener.name,
    codecType: HttpConnectionManager_CodecType.AUTO,
    routeSpecifier: depth !== undefined ? { case: "scopedRoutes", value: scopedRoutes(listener, depth) } : { case: "rds", value: { configSource: ADS, routeConfigName: listener.name } },
    // Client headers the gateway does not trust are gone before anything, filters included, reads them;
    // then the route scope key is written (route-scopes.ts).
    earlyHeaderMutationExtensions: [clientHeaderRemoval(ir), ...(depth !== undefined ? [routeScopeKeyHeader(listener)] : [])],
    httpFilters: httpFilterChain(ir),
    accessLog: accessLogs(ir, listener),
    // Denials answer with problem+json and name the credential scheme; the credential is never echoed.
    localReplyConfig: localReplyConfig(ir),
    // Routes match on the normalized path, so /a/../admin cannot slip past /a's rules.
    normalizePath: true,
    // //admin and /admin are the same path to a route match; merge so they are to Envoy too.
    mergeSlashes: true,
    // %2F in a path is a classic way past path rules; APIs have no need for it (no redirects for machines).
    pathWithEscapedSlashesAction: HttpConnectionManager_PathWithEscapedSlashesAction.REJECT_REQUEST,
    commonHttpProtocolOptions: {
      // Idle client connections are closed so they cannot pile up.
      idleTimeout: duration(3_600_000),
      // x_user and x-user may be merged by upstreams; refuse the ambiguity outright.
      headersWithUnderscoresAction: HttpProtocolOptions_HeadersWithUnderscoresAction.REJECT_REQUEST,
    },
    http2ProtocolOptions: {
      // Bounds what one HTTP/2 client can make the gateway hold in memory.
      maxConcurrentStreams: 100,
      initialStreamWindowSize: 65_536,
      initialConnectionWindowSize: 1_048_576,
    },
    // The client address is the TCP peer, or the configured number of trusted hops into X-Forwarded-For.
    useRemoteAddress: true,
    xffNumTrustedHops: ir.trustedProxyHops,
    // Host matching ignores the port, so example.com:8443 cannot miss the example.com virtual host's rules.
    stripPortMode: { case: "stripAnyHostPort", value: true },
    // Likewise the trailing dot of a fully qualified name: api.example.com. is api.example.com.
    stripTrailingHostDot: true,
    // Slowloris: a client must send its headers in time.
    requestHeadersTimeout: duration(ir.limits.requestHeadersTimeoutMs),
    // Streams that stall are reset instead of holding resources forever.
    streamIdleTimeout: duration(ir.limits.streamIdleTimeoutMs),
    // Caps header memory per request.
    maxRequestHeadersKb: ir.limits.maxRequestHeadersKb,
    // Upstream server banners (versions) are not passed to clients.
    serverHeaderTransformation: HttpConnectionManager_ServerHeaderTransformation.OVERWRITE,
    serverName: "portcullis",
    // A client-sent X-Forwarded-Client-Cert is never trusted.
    forwardClientCertDetails: HttpConnectionManager_ForwardClientCertDetails.SANITIZE,
    // Every request gets an id for logs and upstream correlation.
    generateRequestId: true,
  };
}
