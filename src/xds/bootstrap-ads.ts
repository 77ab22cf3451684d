/**
 * The Envoy bootstrap that connects a proxy to a Portcullis control plane over ADS: node identity
 * (node.cluster picks the gateway), listeners and clusters from ADS, admin on 127.0.0.1, overload
 * manager and buffer limits, and optional mTLS on the xDS channel. Built as Envoy JSON, then parsed
 * into the generated Bootstrap type so a typo in a field name fails here, not in Envoy.
 *
 * The xDS cluster may list several control-plane replicas (or one DNS name with several addresses).
 * Snapshots are deterministic, so every replica serves the same versions: when the ADS stream
 * breaks, Envoy opens a new one to whichever replica its load balancer picks next, and nothing
 * changes. The settings below make that quick: a short connect timeout, keepalives that notice a
 * replica that vanished without closing its connections, a replica that refuses connections
 * ejected at its first refusal, and a short first reconnect back-off.
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { isIP } from "node:net";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { fromEnvoyJson, toEnvoyJson } from "../envoy/encode.ts";
import { DEFAULT_ENVOY_ADMIN_PORT, DEFAULT_XDS_PORT } from "./default-ports.ts";

const XDS_CLUSTER_NAME = "portcullis_xds";

export interface XdsClientTls {
  /** The proxy's client certificate and key (PEM files) presented to the control plane. */
  readonly certFile: string;
  readonly keyFile: string;
  /** CA that signed the control plane's server certificate. */
  readonly caFile: string;
  /** Server name to send (SNI) and to expect in the server certificate's SAN; default: the xDS host (any of them, with several). */
  readonly serverName?: string;
}

/** One control-plane address: an IP or a DNS name (every address it resolves to is used). */
export interface XdsServer {
  readonly host: string;
  readonly port: number;
}

export interface AdsBootstrapOptions {
  readonly nodeId: string;
  /** The gateway name (the config's `name`): the control plane serves that gateway to this node. */
  readonly cluster: string;
  /** The control-plane replicas, any of which may serve this node. Default: 127.0.0.1 at `xdsPort`. */
  readonly xdsServers?: readonly XdsServer[];
  /** The port of a control plane on 127.0.0.1, when `xdsServers` is not given. Default 18000. */
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

/** The name the control plane's certificate must carry: --server-name, else any of the hosts dialled. */
function expectedServerNames(tls: XdsClientTls, servers: readonly XdsServer[]): string[] {
  return tls.serverName ? [tls.serverName] : [...new Set(servers.map((server) => server.host))];
}

function xdsTransportSocket(tls: XdsClientTls, servers: readonly XdsServer[]): JsonObject {
  const names = expectedServerNames(tls, servers);
  // SNI carries host names only (RFC 6066), and one for the whole cluster; an IP is still checked against the SANs.
  const sni = names.length === 1 && !isIP(names[0]!) ? names[0] : undefined;
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
      ...(sni ? { sni } : {}),
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: tls.certFile }, private_key: { filename: tls.keyFile } }],
        validation_context: {
          trusted_ca: { filename: tls.caFile },
          match_typed_subject_alt_names: names.map((name) => ({ san_type: isIP(name) ? "IP_ADDRESS" : "DNS", matcher: { exact: name } })),
        },
      },
    },
  };
}

function xdsCluster(options: AdsBootstrapOptions, servers: readonly XdsServer[]): JsonObject {
  return {
    name: XDS_CLUSTER_NAME,
    // A DNS name stands for every replica it resolves to (e.g. a Kubernetes headless Service).
    type: servers.every((server) => isIP(server.host)) ? "STATIC" : "STRICT_DNS",
    connect_timeout: "1s",
    per_connection_buffer_limit_bytes: 1024 * 1024,
    // A replica whose host vanished (no FIN, no RST) is noticed by the kernel too, not only by HTTP/2 pings.
    upstream_connection_options: { tcp_keepalive: { keepalive_probes: 3, keepalive_time: 10, keepalive_interval: 5 } },
    // A replica that refuses or times out a connection is skipped by the next pick, so a broken
    // stream reconnects to a live replica at the first retry instead of backing off on a dead one.
    // Ejecting all of them is allowed: Envoy then tries every replica again (panic mode).
    outlier_detection: {
      split_external_local_origin_errors: true,
      consecutive_local_origin_failure: 1,
      enforcing_consecutive_local_origin_failure: 100,
      base_ejection_time: "10s",
      max_ejection_percent: 100,
    },
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        // xDS is gRPC: HTTP/2, with keepalive so a hung or unreachable replica is noticed within ~15 s.
        explicit_http_config: { http2_protocol_options: { connection_keepalive: { interval: "10s", timeout: "5s" } } },
      },
    },
    load_assignment: {
      cluster_name: XDS_CLUSTER_NAME,
      endpoints: [{ lb_endpoints: servers.map((server) => ({ endpoint: { address: { socket_address: { address: server.host, port_value: server.port } } } })) }],
    },
    ...(options.tls ? { transport_socket: xdsTransportSocket(options.tls, servers) } : {}),
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
  const servers = options.xdsServers?.length ? options.xdsServers : [{ host: "127.0.0.1", port: options.xdsPort ?? DEFAULT_XDS_PORT }];
  const json: JsonObject = {
    node: { id: options.nodeId, cluster: options.cluster },
    dynamic_resources: {
      ads_config: {
        api_type: options.delta ? "DELTA_GRPC" : "GRPC",
        transport_api_version: "V3",
        // Envoy's default first back-off is up to 500 ms and grows to 30 s; a replica failing over
        // should cost less, and a fleet waiting for a restarted control plane should not wait 30 s.
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER_NAME, retry_policy: { retry_back_off: { base_interval: "0.25s", max_interval: "10s" } } } }],
        set_node_on_first_message_only: true,
      },
      lds_config: ADS_SOURCE,
      cds_config: ADS_SOURCE,
    },
    static_resources: { clusters: [xdsCluster(options, servers)] },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: options.adminPort ?? DEFAULT_ENVOY_ADMIN_PORT } } },
    overload_manager: overloadManager(),
  };
  return toEnvoyJson(BootstrapSchema, fromEnvoyJson(BootstrapSchema, json));
}
