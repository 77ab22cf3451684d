// Shared builders for the Envoy API tests.
import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import type { Cluster } from "../../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { Cluster_DiscoveryType, ClusterSchema } from "../../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ApiVersion } from "../../../generated/envoy/config/core/v3/config_source_pb.js";
import { SocketAddress_Protocol } from "../../../generated/envoy/config/core/v3/address_pb.js";
import type { Listener } from "../../../generated/envoy/config/listener/v3/listener_pb.js";
import { ListenerSchema } from "../../../generated/envoy/config/listener/v3/listener_pb.js";
import type { HttpConnectionManager } from "../../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import {
  HttpConnectionManager_CodecType,
  HttpConnectionManagerSchema,
} from "../../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { RouterSchema } from "../../../generated/envoy/extensions/filters/http/router/v3/router_pb.js";
import { pack } from "../../../src/envoy/any.ts";

export function buildHcm(): HttpConnectionManager {
  return create(HttpConnectionManagerSchema, {
    statPrefix: "ingress_http",
    codecType: HttpConnectionManager_CodecType.AUTO,
    routeSpecifier: {
      case: "rds",
      value: {
        routeConfigName: "routes-main",
        configSource: { resourceApiVersion: ApiVersion.V3, configSourceSpecifier: { case: "ads", value: {} } },
      },
    },
    httpFilters: [{ name: "envoy.filters.http.router", configType: { case: "typedConfig", value: pack(RouterSchema, create(RouterSchema, {})) } }],
  });
}

export function buildListener(): Listener {
  return create(ListenerSchema, {
    name: "listener-main",
    address: {
      address: {
        case: "socketAddress",
        value: { address: "0.0.0.0", portSpecifier: { case: "portValue", value: 10000 }, protocol: SocketAddress_Protocol.TCP },
      },
    },
    filterChains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            configType: { case: "typedConfig", value: pack(HttpConnectionManagerSchema, buildHcm()) },
          },
        ],
      },
    ],
  });
}

export function buildCluster(): Cluster {
  return create(ClusterSchema, {
    name: "backend",
    connectTimeout: create(DurationSchema, { seconds: 5n }),
    clusterDiscoveryType: { case: "type", value: Cluster_DiscoveryType.STRICT_DNS },
    loadAssignment: {
      clusterName: "backend",
      endpoints: [
        {
          lbEndpoints: [
            {
              hostIdentifier: {
                case: "endpoint",
                value: {
                  address: {
                    address: { case: "socketAddress", value: { address: "backend.internal", portSpecifier: { case: "portValue", value: 8080 } } },
                  },
                },
              },
            },
          ],
        },
      ],
    },
  });
}
