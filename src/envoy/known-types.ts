/**
 * The registry of exactly the types Portcullis puts into `google.protobuf.Any`: the xDS resources
 * the control plane sends, the extension configs the translator (src/xds/**) packs, and those in
 * the ADS bootstrap (src/xds/bootstrap-ads.ts). It is what JSON with `@type` (rendered output,
 * parsing the bootstrap) and unpacking by type URL use by default.
 *
 * Why not the full registry (src/envoy/registry.ts): that loads all ~270 generated files, about
 * 100 MB and a second of start-up for every `compile`, `serve` and `up`. These types load a few
 * files beyond what the translator imports anyway. test/unit/envoy/known-types.test.ts compiles
 * every golden case and example and fails if an `@type` in the output is missing here.
 */
import { createRegistry } from "@bufbuild/protobuf";
import type { Registry } from "@bufbuild/protobuf";
import { FileAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/file/v3/file_pb.js";
import { StdoutAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/stream/v3/stream_pb.js";
import { HttpGrpcAccessLogConfigSchema } from "../../generated/envoy/extensions/access_loggers/grpc/v3/als_pb.js";
import { ExtensionWithMatcherSchema } from "../../generated/envoy/extensions/common/matching/v3/extension_matcher_pb.js";
import { SkipFilterSchema } from "../../generated/envoy/extensions/filters/common/matcher/action/v3/skip_action_pb.js";
import { HttpRequestHeaderMatchInputSchema, HttpRequestQueryParamMatchInputSchema } from "../../generated/envoy/type/matcher/v3/http_inputs_pb.js";
import { FilterConfigSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { ApiKeyAuthPerRouteSchema, ApiKeyAuthSchema } from "../../generated/envoy/extensions/filters/http/api_key_auth/v3/api_key_auth_pb.js";
import { CorsPolicySchema, CorsSchema } from "../../generated/envoy/extensions/filters/http/cors/v3/cors_pb.js";
import { ExternalProcessorSchema, ExtProcPerRouteSchema } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { HeaderMutationSchema } from "../../generated/envoy/extensions/filters/http/header_mutation/v3/header_mutation_pb.js";
import { JwtAuthenticationSchema, PerRouteConfigSchema } from "../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import { LocalRateLimitSchema } from "../../generated/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit_pb.js";
import { RateLimitSchema } from "../../generated/envoy/extensions/filters/http/ratelimit/v3/rate_limit_pb.js";
import { McpOverrideSchema, McpSchema } from "../../generated/envoy/extensions/filters/http/mcp/v3/mcp_pb.js";
import { McpRouterSchema } from "../../generated/envoy/extensions/filters/http/mcp_router/v3/mcp_router_pb.js";
import { McpJsonRestBridgePerRouteSchema, McpJsonRestBridgeSchema } from "../../generated/envoy/extensions/filters/http/mcp_json_rest_bridge/v3/mcp_json_rest_bridge_pb.js";
import { RBACPerRouteSchema, RBACSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { RouterSchema } from "../../generated/envoy/extensions/filters/http/router/v3/router_pb.js";
import { ConnectionLimitSchema } from "../../generated/envoy/extensions/filters/network/connection_limit/v3/connection_limit_pb.js";
import { HttpConnectionManagerSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { HeaderMutationSchema as EarlyHeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import { UriTemplateMatchConfigSchema } from "../../generated/envoy/extensions/path/match/uri_template/v3/uri_template_match_pb.js";
import { UriTemplateRewriteConfigSchema } from "../../generated/envoy/extensions/path/rewrite/uri_template/v3/uri_template_rewrite_pb.js";
import { DownstreamConnectionsConfigSchema } from "../../generated/envoy/extensions/resource_monitors/downstream_connections/v3/downstream_connections_pb.js";
import { FixedHeapConfigSchema } from "../../generated/envoy/extensions/resource_monitors/fixed_heap/v3/fixed_heap_pb.js";
import { DownstreamTlsContextSchema, UpstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { HttpProtocolOptionsSchema } from "../../generated/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js";
import { UpstreamCodecSchema } from "../../generated/envoy/extensions/filters/http/upstream_codec/v3/upstream_codec_pb.js";
import { PreviousPrioritiesConfigSchema } from "../../generated/envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config_pb.js";
import { XDS_RESOURCE_SCHEMAS } from "./type-urls.ts";

/** Every type Portcullis packs into an Any. For any other Envoy type, use `envoyRegistry`. */
export const knownTypes: Registry = createRegistry(
  ...XDS_RESOURCE_SCHEMAS.values(),
  // Listeners and HTTP filters (src/xds/listener.ts, src/xds/filters/).
  ConnectionLimitSchema,
  HttpConnectionManagerSchema,
  EarlyHeaderMutationSchema,
  RouterSchema,
  RBACSchema,
  RBACPerRouteSchema,
  CorsSchema,
  CorsPolicySchema,
  JwtAuthenticationSchema,
  PerRouteConfigSchema,
  LocalRateLimitSchema,
  RateLimitSchema,
  ApiKeyAuthSchema,
  ApiKeyAuthPerRouteSchema,
  HeaderMutationSchema,
  ExternalProcessorSchema,
  ExtProcPerRouteSchema,
  // MCP endpoints (src/xds/mcp-filter.ts).
  McpSchema,
  McpOverrideSchema,
  ExtensionWithMatcherSchema,
  SkipFilterSchema,
  HttpRequestHeaderMatchInputSchema,
  HttpRequestQueryParamMatchInputSchema,
  // Federated MCP endpoints (src/xds/mcp-router.ts).
  McpRouterSchema,
  // API versions published as MCP tools (src/xds/mcp-json-rest-bridge.ts).
  McpJsonRestBridgeSchema,
  McpJsonRestBridgePerRouteSchema,
  // Routes (src/xds/route.ts).
  UriTemplateMatchConfigSchema,
  UriTemplateRewriteConfigSchema,
  FilterConfigSchema,
  // TLS, upstream protocol and access logs (src/xds/cluster.ts, src/xds/access-log.ts).
  DownstreamTlsContextSchema,
  UpstreamTlsContextSchema,
  HttpProtocolOptionsSchema,
  StdoutAccessLogSchema,
  FileAccessLogSchema,
  HttpGrpcAccessLogConfigSchema,
  // AI chains: their clusters' upstream filters and their routes' retry priority (src/xds/ai-chain-cluster.ts).
  UpstreamCodecSchema,
  PreviousPrioritiesConfigSchema,
  // The ADS bootstrap's overload manager (src/xds/bootstrap-ads.ts).
  FixedHeapConfigSchema,
  DownstreamConnectionsConfigSchema,
);
