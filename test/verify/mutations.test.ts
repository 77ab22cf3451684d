/**
 * The verifier catches every way the compiler could break an invariant: the TypeScript example
 * (JWT, optional API keys, mTLS, TLS and plaintext upstreams, public routes) is compiled, then its
 * generated resources are mutated one way at a time, and each mutation must be reported with its
 * own code, naming the resource (and field) it broke — and nothing else.
 */
import { create } from "@bufbuild/protobuf";
import { beforeAll, describe, expect, it } from "vitest";
import { type Cluster, ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { HttpProtocolOptions_HeadersWithUnderscoresAction } from "../../generated/envoy/config/core/v3/protocol_pb.js";
import { AdditionalAddressSchema, ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { RouteConfigurationSchema } from "../../generated/envoy/config/route/v3/route_pb.js";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { RBAC_Action, PrincipalSchema } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { RBACPerRouteSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import {
  type HttpConnectionManager,
  HttpConnectionManager_ForwardClientCertDetails,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  HttpConnectionManager_ServerHeaderTransformation,
} from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { HeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import { CertificateValidationContext_TrustChainVerification, CertificateValidationContextSchema, TlsParameters_TlsProtocol, TlsParametersSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/common_pb.js";
import { DownstreamTlsContextSchema, UpstreamTlsContextSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";
import { compileGatewayFile } from "../../src/compile.ts";
import { unpack } from "../../src/envoy/any.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { HARDENING_SETTINGS } from "../../src/verify/hardening.ts";
import { verifySnapshot, type Violation } from "../../src/verify/verify.ts";
import { packed } from "../../src/xds/proto.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { withAdded, withCluster, withHcm, withListener, withResource, withRoute } from "./mutate.ts";

let base: Snapshot;
let ir: GatewayIR;

beforeAll(async () => {
  const compiled = await compileGatewayFile("examples/typescript/gateway.config.ts", { secrets: "placeholder" });
  base = compiled.snapshot!;
  ir = compiled.ir!;
  expect(verifySnapshot(base, ir)).toEqual([]);
});

/** The one violation a mutation must cause. */
function only(snapshot: Snapshot): Violation {
  const violations = verifySnapshot(snapshot, ir);
  expect(violations.map((v) => v.message)).toHaveLength(1);
  return violations[0]!;
}

const RBAC = "envoy.filters.http.rbac";

/**
 * A filter's config dropped from a route and from its virtual host, which carries the config most
 * of its routes share (src/xds/host-access.ts): then nothing gives the route one.
 */
function withoutFilterConfig(snapshot: Snapshot, config: string, routeName: string, filter: string): Snapshot {
  return withResource(snapshot, RouteConfigurationSchema, config, (message) => {
    const hosts = message.virtualHosts.filter((host) => host.routes.some((route) => route.name === routeName));
    if (hosts.length === 0) throw new Error(`no route ${routeName} in ${config}`);
    for (const host of hosts) {
      delete host.typedPerFilterConfig[filter];
      for (const route of host.routes) if (route.name === routeName) delete route.typedPerFilterConfig[filter];
    }
  });
}

describe("route access", () => {
  it("catches the RBAC filter dropped from a connection manager", () => {
    const v = only(withHcm(base, "public", (hcm) => (hcm.httpFilters = hcm.httpFilters.filter((f) => f.name !== RBAC))));
    expect(v).toMatchObject({ code: "PCL6004", resource: { kind: "Listener", name: "public" } });
    expect(v.field).toMatch(/http_filters$/);
  });

  it("catches the RBAC filter disabled in the chain", () => {
    const v = only(withHcm(base, "mesh", (hcm) => (hcm.httpFilters.find((f) => f.name === RBAC)!.disabled = true)));
    expect(v).toMatchObject({ code: "PCL6004", resource: { kind: "Listener", name: "mesh" } });
  });

  it("catches a route's access rules dropped, its own and its virtual host's", () => {
    const violations = verifySnapshot(withoutFilterConfig(base, "public/v2", "orders.v2.create", RBAC), ir);
    for (const v of violations) expect(v).toMatchObject({ code: "PCL6001", resource: { kind: "RouteConfiguration", name: "public/v2" } });
    expect(violations.map((v) => v.field)).toContainEqual(expect.stringContaining(`routes["orders.v2.create"].typed_per_filter_config["${RBAC}"]`));
  });

  it("catches a protected route turned public, and tells it from a public one", () => {
    const v = only(withRoute(base, "mesh/v2", "orders.v2.fulfil", (route) => (route.typedPerFilterConfig[RBAC] = packed(RBACPerRouteSchema, {}))));
    expect(v).toMatchObject({ code: "PCL6002", resource: { kind: "RouteConfiguration", name: "mesh/v2" } });
    expect(v.field).toContain("orders.v2.fulfil");
  });

  it("sees a route the compile result stops making public in a table it verified before, and forgets it again", () => {
    // The same snapshot verified against three IRs: its tables are the same messages each time, so
    // the verdicts remembered for them must follow the public routes of the IR they are judged by.
    const opened = ir.routes.find((route) => route.access.kind === "public" && route.action.kind === "forward")!;
    const closed: GatewayIR = { ...ir, routes: ir.routes.map((route) => (route === opened ? { ...route, access: { kind: "identities" as const, rules: [] } } : route)) };
    expect(verifySnapshot(base, ir)).toEqual([]);
    // One finding per table that serves the route (it may be on more than one listener).
    const violations = verifySnapshot(base, closed);
    expect(violations.length).toBeGreaterThan(0);
    for (const violation of violations) expect([violation.code, violation.field.includes(`"${opened.name}"`) || violation.field.includes(`"${opened.id}"`)]).toEqual(["PCL6002", true]);
    expect(verifySnapshot(base, ir)).toEqual([]);
  });

  it("catches access rules that deny listed callers instead of admitting them", () => {
    const v = only(withRoute(base, "public/v1", "orders.v1.list", (route) => {
      const perRoute = unpack(route.typedPerFilterConfig[RBAC]!, RBACPerRouteSchema);
      perRoute.rbac!.rules!.action = RBAC_Action.DENY;
      route.typedPerFilterConfig[RBAC] = packed(RBACPerRouteSchema, perRoute);
    }));
    expect(v).toMatchObject({ code: "PCL6003", resource: { name: "public/v1" } });
  });

  it("catches a principal that admits anyone", () => {
    const v = only(withRoute(base, "public/v1", "orders.v1.list", (route) => {
      const perRoute = unpack(route.typedPerFilterConfig[RBAC]!, RBACPerRouteSchema);
      Object.values(perRoute.rbac!.rules!.policies)[0]!.principals.push(create(PrincipalSchema, { identifier: { case: "any", value: true } }));
      route.typedPerFilterConfig[RBAC] = packed(RBACPerRouteSchema, perRoute);
    }));
    expect(v).toMatchObject({ code: "PCL6005", resource: { name: "public/v1" } });
    expect(v.field).toContain('policies["customers"]');
  });

  it("catches a route's jwt_authn requirement dropped, its own and its virtual host's", () => {
    const violations = verifySnapshot(withoutFilterConfig(base, "public/v2", "orders.v2.create", "envoy.filters.http.jwt_authn"), ir);
    for (const v of violations) expect(v).toMatchObject({ code: "PCL6006", resource: { kind: "RouteConfiguration", name: "public/v2" } });
    expect(violations.find((v) => v.field.includes('routes["orders.v2.create"]'))?.message).toContain("customers");
  });

  it("catches jwt_authn moved after the access rules", () => {
    const violations = verifySnapshot(withHcm(base, "public", (hcm) => {
      const jwt = hcm.httpFilters.findIndex((f) => f.name === "envoy.filters.http.jwt_authn");
      const [filter] = hcm.httpFilters.splice(jwt, 1);
      hcm.httpFilters.splice(hcm.httpFilters.findIndex((f) => f.name === RBAC) + 1, 0, filter!);
    }), ir);
    expect(violations.length).toBeGreaterThan(0);
    expect(new Set(violations.map((v) => v.code))).toEqual(new Set(["PCL6006"]));
  });

  it("catches a route's API-key check dropped, its own and its virtual host's", () => {
    const violations = verifySnapshot(withoutFilterConfig(base, "public/v2", "orders.v2.list", "envoy.filters.http.api_key_auth.optional"), ir);
    for (const v of violations) expect(v).toMatchObject({ code: "PCL6007", resource: { kind: "RouteConfiguration", name: "public/v2" } });
    expect(violations.find((v) => v.field.includes('routes["orders.v2.list"]'))?.message).toContain(ir.identityHeaders.consumer);
  });

  it("catches client certificates accepted without verification on a listener whose routes admit by certificate", () => {
    const v = only(withListener(base, "mesh", (listener) => {
      const socket = listener.filterChains[0]!.transportSocket!;
      const tls = unpack(socket.configType.value!, DownstreamTlsContextSchema);
      tls.commonTlsContext!.validationContextType = { case: "validationContext", value: create(CertificateValidationContextSchema, { trustChainVerification: CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED }) };
      socket.configType = { case: "typedConfig", value: packed(DownstreamTlsContextSchema, tls) };
    }));
    expect(v).toMatchObject({ code: "PCL6008", resource: { kind: "RouteConfiguration", name: "mesh/v2" } });
  });

  it("catches a route scope that names a route configuration the snapshot does not hold", () => {
    const v = only(withResource(base, ScopedRouteConfigurationSchema, "public/v2", (scope) => (scope.routeConfigurationName = "public/v9")));
    expect(v).toMatchObject({ code: "PCL6021", resource: { kind: "Listener", name: "public" } });
    expect(v.message).toContain("public/v9");
  });

  it("catches a connection manager whose routes do not come from its route configuration", () => {
    const v = only(withHcm(base, "public", (hcm) => (hcm.routeSpecifier = { case: "routeConfig", value: create(RouteConfigurationSchema, { name: "inline" }) })));
    expect(v).toMatchObject({ code: "PCL6021", resource: { kind: "Listener", name: "public" } });
  });
});

describe("upstream TLS", () => {
  const plaintext = (name: string): Cluster => create(ClusterSchema, { name, loadAssignment: { clusterName: name } });

  it("catches a plaintext cluster added", () => {
    expect(only(withAdded(base, ClusterSchema, "sneaky", plaintext("sneaky")))).toMatchObject({ code: "PCL6010", resource: { kind: "Cluster", name: "sneaky" }, field: "transport_socket" });
  });

  it("catches TLS dropped from a cluster the config gives TLS", () => {
    expect(only(withCluster(base, "orders", (cluster) => delete cluster.transportSocket))).toMatchObject({ code: "PCL6010", resource: { kind: "Cluster", name: "orders" } });
  });

  it("allows the cluster the config names plaintext, and the AI processor's", () => {
    expect(ir.clusters.find((c) => c.name === "local")?.tls).toBeUndefined();
    expect(base.resources.get("type.googleapis.com/envoy.config.cluster.v3.Cluster")?.has("portcullis_ai_processor")).toBe(true);
  });

  function withUpstreamTls(name: string, mutate: (tls: ReturnType<typeof unpack<typeof UpstreamTlsContextSchema>>) => void): Snapshot {
    return withCluster(base, name, (cluster) => {
      const tls = unpack(cluster.transportSocket!.configType.value!, UpstreamTlsContextSchema);
      mutate(tls);
      cluster.transportSocket!.configType = { case: "typedConfig", value: packed(UpstreamTlsContextSchema, tls) };
    });
  }

  it("catches upstream TLS that verifies nothing", () => {
    const v = only(withUpstreamTls("orders", (tls) => (tls.commonTlsContext!.validationContextType = { case: undefined })));
    expect(v).toMatchObject({ code: "PCL6011", resource: { kind: "Cluster", name: "orders" } });
  });

  it("catches upstream TLS below 1.2", () => {
    const v = only(withUpstreamTls("openai", (tls) => (tls.commonTlsContext!.tlsParams = create(TlsParametersSchema, { tlsMinimumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_1 }))));
    expect(v).toMatchObject({ code: "PCL6011", resource: { kind: "Cluster", name: "openai" } });
    expect(v.message).toContain("below 1.2");
  });
});

describe("connection manager hardening", () => {
  /** One weakening per setting the verifier checks. */
  const WEAKEN: Record<string, (hcm: HttpConnectionManager) => void> = {
    normalize_path: (hcm) => (hcm.normalizePath = false),
    merge_slashes: (hcm) => (hcm.mergeSlashes = false),
    path_with_escaped_slashes_action: (hcm) => (hcm.pathWithEscapedSlashesAction = HttpConnectionManager_PathWithEscapedSlashesAction.KEEP_UNCHANGED),
    "common_http_protocol_options.headers_with_underscores_action": (hcm) => (hcm.commonHttpProtocolOptions!.headersWithUnderscoresAction = HttpProtocolOptions_HeadersWithUnderscoresAction.ALLOW),
    "common_http_protocol_options.idle_timeout": (hcm) => delete hcm.commonHttpProtocolOptions!.idleTimeout,
    use_remote_address: (hcm) => delete hcm.useRemoteAddress,
    xff_num_trusted_hops: (hcm) => (hcm.xffNumTrustedHops += 1),
    max_request_headers_kb: (hcm) => delete hcm.maxRequestHeadersKb,
    request_headers_timeout: (hcm) => delete hcm.requestHeadersTimeout,
    stream_idle_timeout: (hcm) => delete hcm.streamIdleTimeout,
    "http2_protocol_options.max_concurrent_streams": (hcm) => delete hcm.http2ProtocolOptions,
    strip_any_host_port: (hcm) => (hcm.stripPortMode = { case: undefined }),
    strip_trailing_host_dot: (hcm) => (hcm.stripTrailingHostDot = false),
    server_header_transformation: (hcm) => (hcm.serverHeaderTransformation = HttpConnectionManager_ServerHeaderTransformation.PASS_THROUGH),
    forward_client_cert_details: (hcm) => (hcm.forwardClientCertDetails = HttpConnectionManager_ForwardClientCertDetails.FORWARD_ONLY),
  };

  it("has a weakening for every setting it checks", () => {
    expect(Object.keys(WEAKEN).sort()).toEqual(HARDENING_SETTINGS.map((s) => s.field).sort());
  });

  for (const [field, weaken] of Object.entries(WEAKEN)) {
    it(`catches ${field} removed or weakened`, () => {
      const v = only(withHcm(base, "mesh", weaken));
      expect(v).toMatchObject({ code: "PCL6020", resource: { kind: "Listener", name: "mesh" } });
      expect(v.field).toBe(`filter_chains[0].filters[1].${field}`);
    });
  }
});

describe("identity headers from clients", () => {
  it("catches the early header mutation removed", () => {
    const v = only(withHcm(base, "public", (hcm) => (hcm.earlyHeaderMutationExtensions = [])));
    expect(v).toMatchObject({ code: "PCL6030", resource: { kind: "Listener", name: "public" } });
  });

  for (const header of ["x-portcullis-identity", "x-portcullis-consumer", "x-portcullis-roles"]) {
    it(`catches ${header} no longer removed from client requests`, () => {
      const v = only(withHcm(base, "public", (hcm) => {
        const early = hcm.earlyHeaderMutationExtensions[0]!;
        const mutation = unpack(early.typedConfig!, HeaderMutationSchema);
        mutation.mutations = mutation.mutations.filter((m) => m.action.value !== header);
        early.typedConfig = packed(HeaderMutationSchema, mutation);
      }));
      expect(v).toMatchObject({ code: "PCL6031", resource: { kind: "Listener", name: "public" } });
      expect(v.message).toContain(header);
    });
  }
});

describe("listener binds", () => {
  it("catches a listener the config does not name", () => {
    const extra = create(ListenerSchema, { name: "extra", address: { address: { case: "socketAddress", value: { address: "0.0.0.0", portSpecifier: { case: "portValue", value: 2222 } } } } });
    expect(only(withAdded(base, ListenerSchema, "extra", extra))).toMatchObject({ code: "PCL6040", resource: { kind: "Listener", name: "extra" } });
  });

  it("catches a listener moved to another port", () => {
    const v = only(withListener(base, "public", (listener) => {
      const socket = listener.address!.address;
      if (socket.case === "socketAddress") socket.value.portSpecifier = { case: "portValue", value: 2222 };
    }));
    expect(v).toMatchObject({ code: "PCL6040", resource: { kind: "Listener", name: "public" }, field: "address" });
    expect(v.message).toContain("0.0.0.0:2222");
  });

  it("catches an additional address", () => {
    const v = only(withListener(base, "mesh", (listener) => listener.additionalAddresses.push(create(AdditionalAddressSchema, { address: listener.address! }))));
    expect(v).toMatchObject({ code: "PCL6040", field: "additional_addresses" });
  });
});
