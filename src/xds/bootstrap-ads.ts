/**
 * The Envoy bootstrap that connects a proxy to a Portcullis control plane over ADS: node identity
 * (node.cluster picks the gateway), listeners and clusters from ADS, admin on 127.0.0.1, overload
 * manager and buffer limits, and optional mTLS on the xDS channel. Built as Envoy JSON, then parsed
 * into the generated Bootstrap type so a typo in a field name fails here, not in Envoy.
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { isIP } from "node:net";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { fromEnvoyJson, toEnvoyJson } from "../envoy/encode.ts";

export const DEFAULT_XDS_PORT = 18000;
export const DEFAULT_ENVOY_ADMIN_PORT = 9901;
const XDS_CLUSTER_NAME = "portcullis_xds";

export interface XdsClientTls {
  /** The proxy's client certificate and key (PEM files) presented to the control plane. */
  readonly certFile: string;
  readonly keyFile: string;
  /** CA that signed the control plane's server certificate. */
  readonly caFile: string;
  /** Server name to send (SNI) and to expect in the server certificate's SAN; default: the xDS host. */
  readonly serverName?: string;
}

export interface AdsBootstrapOptions {
  readonly nodeId: string;
  /** The gateway name (the config's `name`): the control plane serves that gateway to this node. */
  readonly cluster: string;
  /** Default 127.0.0.1. */
  readonly xdsHost?: string;
  /** Default 18000. */
  readonly xdsPort?: number;
  /** Envoy's admin port, always on 127.0.0.1. Default 9901. */
  readonly adminPort?: number;
  /** Incremental xDS (DELTA_GRPC) instead of state-of-the-world. */
  readonly delta?: boolean;
  readonly tls?: XdsClientTls;
}

const ADS_SOURCE = { ads: {}, resource_api_version: "V3" };
const FIXED_HEAP = "envoy.resource_monitors.fixed_heap";
const DOWNSTREAM_CONNECTIONS = "envoy.resource_monitors.global_downstream_max_connections";

function xdsTransportSocket(tls: XdsClientTls, host: string): JsonObject {
  const serverName = tls.serverName ?? host;
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
      // SNI carries host names only (RFC 6066); an IP is still checked against the certificate's SANs.
      ...(isIP(serverName) ? {} : { sni: serverName }),
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: tls.certFile }, private_key: { filename: tls.keyFile } }],
        validation_context: {
          trusted_ca: { filename: tls.caFile },
          match_typed_subject_alt_names: [{ san_type: isIP(serverName) ? "IP_ADDRESS" : "DNS", matcher: { exact: serverName } }],
        },
      },
    },
  };
}

function xdsCluster(options: AdsBootstrapOptions, host: string, port: number): JsonObject {
  return {
    name: XDS_CLUSTER_NAME,
    type: isIP(host) ? "STATIC" : "STRICT_DNS",
    connect_timeout: "1s",
    per_connection_buffer_limit_bytes: 1024 * 1024,
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        // xDS is gRPC: HTTP/2, with keepalive so a dead control plane is noticed and reconnected.
        explicit_http_config: { http2_protocol_options: { connection_keepalive: { interval: "30s", timeout: "5s" } } },
      },
    },
    load_assignment: {
      cluster_name: XDS_CLUSTER_NAME,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }] }],
    },
    ...(options.tls ? { transport_socket: xdsTransportSocket(options.tls, host) } : {}),
  };
}

function overloadManager(): JsonObject {
  const heapTrigger = (value: number) => [{ name: FIXED_HEAP, threshold: { value } }];
  return {
    refresh_interval: "0.25s",
    resource_monitors: [
      {
        name: FIXED_HEAP,
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig",
          // 1 GiB: the overload actions below shed load before Envoy approaches it.
          max_heap_size_bytes: String(1024 * 1024 * 1024),
        },
      },
      {
        name: DOWNSTREAM_CONNECTIONS,
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
          // Silences Envoy's "no configured limit" warning and bounds file descriptors per proxy.
          max_active_downstream_connections: String(50_000),
        },
      },
    ],
    actions: [
      { name: "envoy.overload_actions.shrink_heap", triggers: heapTrigger(0.95) },
      { name: "envoy.overload_actions.stop_accepting_requests", triggers: heapTrigger(0.98) },
    ],
  };
}

/** The bootstrap as Envoy JSON (proto field names), ready for `envoy -c`. */
export function adsBootstrap(options: AdsBootstrapOptions): JsonValue {
  const host = options.xdsHost ?? "127.0.0.1";
  const port = options.xdsPort ?? DEFAULT_XDS_PORT;
  const json: JsonObject = {
    node: { id: options.nodeId, cluster: options.cluster },
    dynamic_resources: {
      ads_config: {
        api_type: options.delta ? "DELTA_GRPC" : "GRPC",
        transport_api_version: "V3",
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER_NAME } }],
        set_node_on_first_message_only: true,
      },
      lds_config: ADS_SOURCE,
      cds_config: ADS_SOURCE,
    },
    static_resources: { clusters: [xdsCluster(options, host, port)] },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: options.adminPort ?? DEFAULT_ENVOY_ADMIN_PORT } } },
    overload_manager: overloadManager(),
  };
  return toEnvoyJson(BootstrapSchema, fromEnvoyJson(BootstrapSchema, json));
}
