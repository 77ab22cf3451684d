/** xDS resource type URLs and their message schemas. */
import type { DescMessage } from "@bufbuild/protobuf";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { TypedExtensionConfigSchema } from "../../generated/envoy/config/core/v3/extension_pb.js";
import { ClusterLoadAssignmentSchema } from "../../generated/envoy/config/endpoint/v3/endpoint_pb.js";
import { LbEndpointSchema } from "../../generated/envoy/config/endpoint/v3/endpoint_components_pb.js";
import { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { VirtualHostSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { SecretSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/secret_pb.js";
import { RuntimeSchema } from "../../generated/envoy/service/runtime/v3/rtds_pb.js";

/** LDS */
export const LISTENER_TYPE_URL = "type.googleapis.com/envoy.config.listener.v3.Listener";
/** RDS */
export const ROUTE_CONFIGURATION_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
/** SRDS */
export const SCOPED_ROUTE_CONFIGURATION_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration";
/** VHDS (delta xDS only) */
export const VIRTUAL_HOST_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.VirtualHost";
/** CDS */
export const CLUSTER_TYPE_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
/** EDS */
export const CLUSTER_LOAD_ASSIGNMENT_TYPE_URL = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
/** LEDS (delta xDS only) */
export const LB_ENDPOINT_TYPE_URL = "type.googleapis.com/envoy.config.endpoint.v3.LbEndpoint";
/** SDS */
export const SECRET_TYPE_URL = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
/** RTDS */
export const RUNTIME_TYPE_URL = "type.googleapis.com/envoy.service.runtime.v3.Runtime";
/** ECDS */
export const TYPED_EXTENSION_CONFIG_TYPE_URL = "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";

export type XdsTypeUrl =
  | typeof LISTENER_TYPE_URL
  | typeof ROUTE_CONFIGURATION_TYPE_URL
  | typeof SCOPED_ROUTE_CONFIGURATION_TYPE_URL
  | typeof VIRTUAL_HOST_TYPE_URL
  | typeof CLUSTER_TYPE_URL
  | typeof CLUSTER_LOAD_ASSIGNMENT_TYPE_URL
  | typeof LB_ENDPOINT_TYPE_URL
  | typeof SECRET_TYPE_URL
  | typeof RUNTIME_TYPE_URL
  | typeof TYPED_EXTENSION_CONFIG_TYPE_URL;

/** The message schema of each xDS resource type. */
export const XDS_RESOURCE_SCHEMAS: ReadonlyMap<XdsTypeUrl, DescMessage> = new Map<XdsTypeUrl, DescMessage>([
  [LISTENER_TYPE_URL, ListenerSchema],
  [ROUTE_CONFIGURATION_TYPE_URL, RouteConfigurationSchema],
  [SCOPED_ROUTE_CONFIGURATION_TYPE_URL, ScopedRouteConfigurationSchema],
  [VIRTUAL_HOST_TYPE_URL, VirtualHostSchema],
  [CLUSTER_TYPE_URL, ClusterSchema],
  [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, ClusterLoadAssignmentSchema],
  [LB_ENDPOINT_TYPE_URL, LbEndpointSchema],
  [SECRET_TYPE_URL, SecretSchema],
  [RUNTIME_TYPE_URL, RuntimeSchema],
  [TYPED_EXTENSION_CONFIG_TYPE_URL, TypedExtensionConfigSchema],
]);
