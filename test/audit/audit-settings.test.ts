/**
 * What each audit option does to the Envoy config and to what the receiver keeps: the gRPC
 * access logger and its cluster (audit.store, audit.receiver), the headers Envoy is told to send
 * (audit.redactHeaders), and located errors for values that cannot work.
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Cluster_DiscoveryType, type ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { type HTTPAccessLogEntry, HTTPAccessLogEntrySchema } from "../../generated/envoy/data/accesslog/v3/accesslog_pb.js";
import { HttpGrpcAccessLogConfigSchema } from "../../generated/envoy/extensions/access_loggers/grpc/v3/als_pb.js";
import { HttpConnectionManagerSchema } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { ListenerSchema } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import { auditGateway } from "../../src/audit/gateway.ts";
import { auditRecord } from "../../src/audit/record.ts";
import { compileGateway } from "../../src/compile.ts";
import type { AuditSettings, GatewayConfig } from "../../src/config/types.ts";
import { unpack } from "../../src/envoy/any.ts";
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL } from "../../src/envoy/type-urls.ts";

function gateway(audit?: AuditSettings): GatewayConfig {
  return {
    gateway: { name: "settings", listeners: [{ name: "web", address: "127.0.0.1", port: 8080, hostnames: ["*"] }] },
    identities: { partners: { type: "apiKey", consumers: [{ name: "acme", keys: { env: "KEYS" } }] } },
    providers: { app: { type: "service", endpoints: ["127.0.0.1:3000"], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [{ name: "app", owner: "test", basePath: "/app", versions: { v1: { state: "published", access: { allow: [{ identity: "partners" }] }, routes: [{ name: "all", match: { prefix: "/" }, provider: "app" }] } } }],
    ...(audit ? { audit } : {}),
  };
}

function compiled(audit?: AuditSettings) {
  const result = compileGateway(gateway(audit), undefined, { file: "/srv/gw/gateway.yaml", env: { KEYS: "k-123456789012345678901234" } });
  const listener = result.snapshot?.resources.get(LISTENER_TYPE_URL)?.get("web")?.message as ReturnType<typeof create<typeof ListenerSchema>> | undefined;
  const hcmAny = listener?.filterChains[0]?.filters.find((filter) => filter.name === "envoy.filters.network.http_connection_manager")?.configType;
  const hcm = hcmAny?.case === "typedConfig" ? unpack(hcmAny.value, HttpConnectionManagerSchema) : undefined;
  const grpcLog = hcm?.accessLog.find((log) => log.name === "envoy.access_loggers.http_grpc");
  const logConfig = grpcLog?.configType.case === "typedConfig" ? unpack(grpcLog.configType.value, HttpGrpcAccessLogConfigSchema) : undefined;
  const cluster = result.snapshot?.resources.get(CLUSTER_TYPE_URL)?.get("portcullis_audit")?.message as ReturnType<typeof create<typeof ClusterSchema>> | undefined;
  return { result, hcm, logConfig, cluster };
}

const endpoint = (cluster: ReturnType<typeof compiled>["cluster"]) => {
  const address = cluster?.loadAssignment?.endpoints[0]?.lbEndpoints[0]?.hostIdentifier;
  return address?.case === "endpoint" && address.value.address?.address.case === "socketAddress" ? address.value.address.address.value : undefined;
};

describe("audit settings", () => {
  it("by default, every connection manager also logs over gRPC to a receiver on 127.0.0.1:18003, next to stdout", () => {
    const { result, hcm, logConfig, cluster } = compiled();
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(hcm?.accessLog.map((log) => log.name)).toEqual(["envoy.access_loggers.stdout", "envoy.access_loggers.http_grpc"]);
    expect(logConfig?.commonConfig).toMatchObject({ logName: "settings", grpcService: { targetSpecifier: { case: "envoyGrpc", value: { clusterName: "portcullis_audit" } } } });
    // Envoy tags each entry with the route's API and version, read where the route's table carries them.
    expect(logConfig?.commonConfig?.customTags.map((tag) => [tag.tag, tag.type.value])).toEqual([
      ["api", "%METADATA(VIRTUAL_HOST:portcullis:api)%"],
      ["version", "%METADATA(VIRTUAL_HOST:portcullis:version)%"],
    ]);
    expect(endpoint(cluster)).toMatchObject({ address: "127.0.0.1", portSpecifier: { value: 18003 } });
    expect(result.ir?.accessLog.store).toMatchObject({ file: "/srv/gw/.portcullis/audit.db", retentionMs: 30 * 86_400_000 });
  });

  it("asks Envoy for the identity headers only: never Authorization, an API key header or a cookie", () => {
    const { logConfig } = compiled();
    expect(logConfig?.additionalRequestHeadersToLog).toEqual(["x-portcullis-consumer", "x-portcullis-identity", "x-portcullis-spiffe-id", "x-portcullis-subject"]);
    expect(logConfig?.additionalResponseHeadersToLog).toEqual([]);
  });

  it("audit.redactHeaders: a named identity header is not asked for, and dropped on receipt if a stale config still sends it", () => {
    const { logConfig, result } = compiled({ redactHeaders: ["X-Portcullis-Consumer"] });
    expect(logConfig?.additionalRequestHeadersToLog).not.toContain("x-portcullis-consumer");
    const entry: HTTPAccessLogEntry = create(HTTPAccessLogEntrySchema, {
      request: { path: "/v1/app/x?api_key=k-123", requestHeaders: { "x-portcullis-consumer": "acme", "x-portcullis-identity": "partners" } },
      response: { responseCode: 200 },
    });
    const record = auditRecord("settings", entry, auditGateway(result.ir!));
    expect(record).toMatchObject({ identity: "partners", path: "/v1/app/x", decision: "allow" });
    expect(record.consumer).toBeUndefined();
  });

  it("audit.store: false sends no access log over gRPC and adds no cluster; the stdout log stays", () => {
    const { hcm, cluster, result } = compiled({ store: false });
    expect(hcm?.accessLog.map((log) => log.name)).toEqual(["envoy.access_loggers.stdout"]);
    expect(cluster).toBeUndefined();
    expect(result.ir?.accessLog.store).toBeUndefined();
  });

  it("audit.receiver names a fleet's receiver: resolved by DNS when it is a host name", () => {
    const { cluster } = compiled({ receiver: "audit.internal:9443", store: "records/audit.db", retention: "12h" });
    expect(endpoint(cluster)).toMatchObject({ address: "audit.internal", portSpecifier: { value: 9443 } });
    expect(cluster?.clusterDiscoveryType).toMatchObject({ case: "type", value: Cluster_DiscoveryType.STRICT_DNS });
  });

  it("a receiver that is not host:port or a retention that is no span is a located error", () => {
    const bad = compiled({ receiver: "audit.internal" }).result.diagnostics.find((d) => d.code === "PCL4100");
    expect(bad).toMatchObject({ severity: "error", message: expect.stringContaining('"audit.internal" is not host:port') });
    const retention = compiled({ retention: "forever" }).result.diagnostics.find((d) => d.code === "PCL4101");
    expect(retention).toMatchObject({ severity: "error", hint: 'Write it as "72h" or "30d".' });
  });
});
