import { create, equals, } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ClusterSchema } from "../../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ListenerSchema } from "../../../generated/envoy/config/listener/v3/listener_pb.js";
import { RBAC_Action } from "../../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { ExternalProcessorSchema } from "../../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ProcessingMode_HeaderSendMode } from "../../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import { JwtAuthenticationSchema } from "../../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import { RBACSchema as RbacFilterSchema } from "../../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { RouterSchema } from "../../../generated/envoy/extensions/filters/http/router/v3/router_pb.js";
import { HttpConnectionManagerSchema } from "../../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { DeltaDiscoveryResponseSchema } from "../../../generated/envoy/service/discovery/v3/discovery_pb.js";
import {
  CLUSTER_TYPE_URL,
  fromBinary,
  fromEnvoyJson,
  isPacked,
  messageSchema,
  pack,
  toBinary,
  toEnvoyJson,
  toEnvoyJsonString,
  typeUrl,
  unpack,
  XDS_RESOURCE_SCHEMAS,
} from "../../../src/envoy/index.ts";
import { buildCluster, buildHcm, buildListener } from "./fixtures.ts";

describe("Listener with HttpConnectionManager", () => {
  it("round-trips through binary", () => {
    const listener = buildListener();
    const decoded = fromBinary(ListenerSchema, toBinary(ListenerSchema, listener));
    expect(equals(ListenerSchema, decoded, listener)).toBe(true);

    const typedConfig = decoded.filterChains[0]?.filters[0]?.configType;
    expect(typedConfig?.case).toBe("typedConfig");
    if (typedConfig?.case !== "typedConfig") throw new Error("unreachable");
    expect(typedConfig.value.typeUrl).toBe(
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    );
    const hcm = unpack(typedConfig.value, HttpConnectionManagerSchema);
    expect(equals(HttpConnectionManagerSchema, hcm, buildHcm())).toBe(true);
    expect(hcm.routeSpecifier.case).toBe("rds");
  });

  it("renders Envoy JSON with @type and parses it back", () => {
    const listener = buildListener();
    const json = toEnvoyJson(ListenerSchema, listener) as JsonObject;
    expect(json).toMatchObject({
      name: "listener-main",
      address: { socket_address: { address: "0.0.0.0", port_value: 10000 } },
      filter_chains: [
        {
          filters: [
            {
              name: "envoy.filters.network.http_connection_manager",
              typed_config: {
                "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                stat_prefix: "ingress_http",
                rds: { route_config_name: "routes-main", config_source: { ads: {}, resource_api_version: "V3" } },
                http_filters: [
                  {
                    name: "envoy.filters.http.router",
                    typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    // `@type` is the first key of every Any object.
    const hcmJson = JSON.stringify(json).indexOf('"typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.network');
    expect(hcmJson).toBeGreaterThan(0);
    const back = fromEnvoyJson(ListenerSchema, json);
    expect(equals(ListenerSchema, back, listener)).toBe(true);
    // Same bytes through the JSON round-trip.
    expect(toBinary(ListenerSchema, back)).toEqual(toBinary(ListenerSchema, listener));

    // String form and camelCase names are accepted too.
    const camel = toEnvoyJsonString(ListenerSchema, listener, { protoFieldNames: false });
    expect(camel).toContain('"typedConfig"');
    expect(equals(ListenerSchema, fromEnvoyJson(ListenerSchema, camel), listener)).toBe(true);
  });

  it("rejects unknown fields unless asked to ignore them", () => {
    expect(() => fromEnvoyJson(ListenerSchema, { name: "l", bogus_field: 1 })).toThrow();
    expect(fromEnvoyJson(ListenerSchema, { name: "l", bogus_field: 1 }, { ignoreUnknownFields: true }).name).toBe("l");
  });
});

describe("Any of extension configs", () => {
  it("JwtAuthentication", () => {
    const jwt = create(JwtAuthenticationSchema, {
      providers: {
        idp: {
          issuer: "https://idp.example.com",
          audiences: ["portcullis"],
          forward: true,
          jwksSourceSpecifier: {
            case: "remoteJwks",
            value: {
              httpUri: {
                uri: "https://idp.example.com/.well-known/jwks.json",
                httpUpstreamType: { case: "cluster", value: "idp" },
                timeout: create(DurationSchema, { seconds: 2n }),
              },
              cacheDuration: create(DurationSchema, { seconds: 300n }),
            },
          },
        },
      },
      rules: [
        {
          match: { pathSpecifier: { case: "prefix", value: "/api" } },
          requirementType: { case: "requires", value: { requiresType: { case: "providerName", value: "idp" } } },
        },
      ],
    });
    const any = pack(JwtAuthenticationSchema, jwt);
    expect(any.typeUrl).toBe("type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication");
    expect(isPacked(any, JwtAuthenticationSchema)).toBe(true);
    const json = toEnvoyJson(JwtAuthenticationSchema, jwt) as JsonObject;
    expect(json).toMatchObject({
      providers: { idp: { issuer: "https://idp.example.com", remote_jwks: { cache_duration: "300s" } } },
    });
    const decoded = unpack(any, JwtAuthenticationSchema);
    expect(equals(JwtAuthenticationSchema, decoded, jwt)).toBe(true);
    expect(equals(JwtAuthenticationSchema, fromEnvoyJson(JwtAuthenticationSchema, json), jwt)).toBe(true);
  });

  it("RBAC filter config", () => {
    const rbac = create(RbacFilterSchema, {
      rules: {
        action: RBAC_Action.DENY,
        policies: {
          admins: {
            permissions: [{ rule: { case: "header", value: { name: ":method", headerMatchSpecifier: { case: "exactMatch", value: "GET" } } } }],
            principals: [{ identifier: { case: "authenticated", value: { principalName: { matchPattern: { case: "exact", value: "admin" } } } } }],
          },
        },
      },
    });
    const any = pack(RbacFilterSchema, rbac);
    expect(any.typeUrl).toBe("type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC");
    const viaRegistry = unpack(any);
    expect(viaRegistry.$typeName).toBe("envoy.extensions.filters.http.rbac.v3.RBAC");
    const decoded = fromBinary(RbacFilterSchema, toBinary(RbacFilterSchema, unpack(any, RbacFilterSchema)));
    expect(equals(RbacFilterSchema, decoded, rbac)).toBe(true);
    expect(toEnvoyJson(RbacFilterSchema, rbac)).toMatchObject({ rules: { action: "DENY" } });
  });

  it("ExternalProcessor config", () => {
    const extProc = create(ExternalProcessorSchema, {
      grpcService: {
        targetSpecifier: { case: "envoyGrpc", value: { clusterName: "ext-proc" } },
        timeout: create(DurationSchema, { nanos: 250_000_000 }),
      },
      failureModeAllow: true,
      processingMode: { requestHeaderMode: ProcessingMode_HeaderSendMode.SEND, responseHeaderMode: ProcessingMode_HeaderSendMode.SKIP },
    });
    const any = pack(ExternalProcessorSchema, extProc);
    const json = toEnvoyJson(ExternalProcessorSchema, extProc);
    expect(json).toMatchObject({
      grpc_service: { envoy_grpc: { cluster_name: "ext-proc" }, timeout: "0.250s" },
      failure_mode_allow: true,
      processing_mode: { request_header_mode: "SEND", response_header_mode: "SKIP" },
    });
    expect(equals(ExternalProcessorSchema, unpack(any, ExternalProcessorSchema), extProc)).toBe(true);
    expect(equals(ExternalProcessorSchema, fromEnvoyJson(ExternalProcessorSchema, json), extProc)).toBe(true);
  });

  it("DeltaDiscoveryResponse carrying a packed Cluster", () => {
    const cluster = buildCluster();
    const response = create(DeltaDiscoveryResponseSchema, {
      systemVersionInfo: "v1",
      typeUrl: CLUSTER_TYPE_URL,
      nonce: "n-1",
      resources: [{ name: cluster.name, version: "abc", resource: pack(ClusterSchema, cluster) }],
      removedResources: ["old-cluster"],
    });
    const bytes = toBinary(DeltaDiscoveryResponseSchema, response);
    const decoded = fromBinary(DeltaDiscoveryResponseSchema, bytes);
    expect(equals(DeltaDiscoveryResponseSchema, decoded, response)).toBe(true);
    const resource = decoded.resources[0]?.resource;
    if (!resource) throw new Error("missing resource");
    expect(resource.typeUrl).toBe(CLUSTER_TYPE_URL);
    expect(equals(ClusterSchema, unpack(resource, ClusterSchema), cluster)).toBe(true);

    const json = toEnvoyJson(DeltaDiscoveryResponseSchema, decoded);
    expect(json).toMatchObject({
      type_url: CLUSTER_TYPE_URL,
      removed_resources: ["old-cluster"],
      resources: [{ name: "backend", resource: { "@type": CLUSTER_TYPE_URL, name: "backend", type: "STRICT_DNS", connect_timeout: "5s" } }],
    });
    expect(equals(DeltaDiscoveryResponseSchema, fromEnvoyJson(DeltaDiscoveryResponseSchema, json), response)).toBe(true);
  });

  it("unpack refuses a mismatched type and an unknown type URL", () => {
    const any = pack(RouterSchema, create(RouterSchema, {}));
    expect(() => unpack(any, ClusterSchema)).toThrow(/envoy.extensions.filters.http.router.v3.Router/);
    expect(() => unpack({ ...any, typeUrl: "type.googleapis.com/not.a.Type" })).toThrow(/not in the registry/);
  });
});

describe("registry and type URLs", () => {
  it("covers the extension types a gateway needs", () => {
    for (const name of [
      "envoy.config.bootstrap.v3.Bootstrap",
      "envoy.extensions.filters.http.cors.v3.Cors",
      "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
      "envoy.extensions.filters.http.mcp.v3.Mcp",
      "envoy.extensions.filters.http.credential_injector.v3.CredentialInjector",
      "envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig",
      "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
      "envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig",
      "envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
      "envoy.service.status.v3.ClientStatusResponse",
      "xds.type.v3.TypedStruct",
      "google.protobuf.Struct",
    ]) {
      expect(messageSchema(name), name).toBeDefined();
    }
    expect(messageSchema("type.googleapis.com/envoy.config.listener.v3.Listener")).toBe(ListenerSchema);
  });

  it("maps xDS type URLs to their schemas", () => {
    for (const [url, schema] of XDS_RESOURCE_SCHEMAS) expect(typeUrl(schema)).toBe(url);
  });
});
