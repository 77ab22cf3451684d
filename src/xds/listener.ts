import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { ConnectionLimitSchema } from "../../generated/envoy/extensions/filters/network/connection_limit/v3/connection_limit_pb.js";
import { HttpConnectionManagerSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { DownstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { TlsParameters_TlsProtocol } from "../../generated/envoy/extensions/transport_sockets/tls/v3/common_pb.js";
import type { GatewayIR, ListenerIR } from "../model/ir.ts";
import { httpConnectionManager } from "./http-connection-manager.ts";
import { ADS, typedExtension } from "./proto.ts";

const TLS_VERSION = { "1.2": TlsParameters_TlsProtocol.TLSv1_2, "1.3": TlsParameters_TlsProtocol.TLSv1_3 } as const;

/** TLS termination with certificates from SDS, so rotating one is a Secret update, not a listener change. */
function downstreamTls(listener: ListenerIR) {
  const tls = listener.tls;
  if (!tls) return undefined;
  const client = tls.clientCertificate;
  return typedExtension("envoy.transport_sockets.tls", DownstreamTlsContextSchema, {
    commonTlsContext: {
      tlsParams: { tlsMinimumProtocolVersion: TLS_VERSION[tls.minVersion] },
      tlsCertificateSdsSecretConfigs: [{ name: tls.certificateSecret, sdsConfig: ADS }],
      alpnProtocols: ["h2", "http/1.1"],
      ...(client ? { validationContextType: { case: "validationContextSdsSecretConfig" as const, value: { name: client.caSecret, sdsConfig: ADS } } } : {}),
    },
    ...(client ? { requireClientCertificate: client.required } : {}),
  });
}

export function listener(ir: GatewayIR, listener: ListenerIR): MessageInitShape<typeof ListenerSchema> {
  const transportSocket = downstreamTls(listener);
  return {
    name: listener.name,
    address: { address: { case: "socketAddress", value: { address: listener.address, portSpecifier: { case: "portValue", value: listener.port } } } },
    // Envoy binds with SO_REUSEPORT by default, so a second gateway on a taken port would bind it
    // too and the kernel would split connections between the two. Off: the second one fails instead.
    enableReusePort: false,
    // Bounds the memory one slow or hostile connection can pin.
    perConnectionBufferLimitBytes: ir.limits.connectionBufferBytes,
    filterChains: [
      {
        filters: [
          // Caps concurrent connections so a flood cannot exhaust file descriptors.
          typedExtension("envoy.filters.network.connection_limit", ConnectionLimitSchema, { statPrefix: listener.name, maxConnections: BigInt(ir.limits.maxConnections) }),
          typedExtension("envoy.filters.network.http_connection_manager", HttpConnectionManagerSchema, httpConnectionManager(ir, listener)),
        ],
        ...(transportSocket ? { transportSocket } : {}),
      },
    ],
  };
}
