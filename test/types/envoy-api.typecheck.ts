// Compile-only check (tsc -p tsconfig.json --noEmit): the generated Envoy API is usable from
// strict TypeScript (exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax).
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import type { Cluster } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { RBAC_Action } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";
import type { ExternalProcessor } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ExternalProcessorSchema } from "../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import type { JwtAuthentication } from "../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import { JwtAuthenticationSchema } from "../../generated/envoy/extensions/filters/http/jwt_authn/v3/config_pb.js";
import type { RBAC } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { RBACSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { RouterSchema } from "../../generated/envoy/extensions/filters/http/router/v3/router_pb.js";
import type { HttpConnectionManager } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import {
  HttpConnectionManager_CodecType,
  HttpConnectionManagerSchema,
} from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { DeltaDiscoveryResponse } from "../../generated/envoy/service/discovery/v3/discovery_pb.js";
import { DeltaDiscoveryResponseSchema } from "../../generated/envoy/service/discovery/v3/discovery_pb.js";
import { CLUSTER_TYPE_URL, pack, toEnvoyJson, unpack } from "../../src/envoy/index.ts";
import type { Any } from "../../src/envoy/index.ts";

export const hcm: HttpConnectionManager = create(HttpConnectionManagerSchema, {
  statPrefix: "ingress_http",
  codecType: HttpConnectionManager_CodecType.AUTO,
  routeSpecifier: { case: "rds", value: { routeConfigName: "main", configSource: { configSourceSpecifier: { case: "ads", value: {} } } } },
  httpFilters: [{ name: "envoy.filters.http.router", configType: { case: "typedConfig", value: pack(RouterSchema, create(RouterSchema)) } }],
});

export const jwt: JwtAuthentication = create(JwtAuthenticationSchema, {
  providers: {
    idp: {
      issuer: "https://idp.example.com",
      jwksSourceSpecifier: {
        case: "remoteJwks",
        value: { httpUri: { uri: "https://idp.example.com/jwks", httpUpstreamType: { case: "cluster", value: "idp" } } },
      },
    },
  },
});

export const rbac: RBAC = create(RBACSchema, {
  rules: { action: RBAC_Action.DENY, policies: { all: { permissions: [{ rule: { case: "any", value: true } }], principals: [{ identifier: { case: "any", value: true } }] } } },
});

export const extProc: ExternalProcessor = create(ExternalProcessorSchema, {
  grpcService: { targetSpecifier: { case: "envoyGrpc", value: { clusterName: "ext-proc" } }, timeout: create(DurationSchema, { seconds: 1n }) },
});

const clusterInit: MessageInitShape<typeof ClusterSchema> = { name: "backend", clusterDiscoveryType: { case: "type", value: 1 } };
const cluster: Cluster = create(ClusterSchema, clusterInit);
const packed: Any = pack(ClusterSchema, cluster);

export const delta: DeltaDiscoveryResponse = create(DeltaDiscoveryResponseSchema, {
  typeUrl: CLUSTER_TYPE_URL,
  resources: [{ name: cluster.name, version: "1", resource: packed }],
});

// Unpacking is typed by the schema.
const name: string = unpack(packed, ClusterSchema).name;
void name;
void toEnvoyJson(HttpConnectionManagerSchema, hcm);

// @ts-expect-error unknown field
create(ListenerLike, { nope: 1 });
declare const ListenerLike: typeof ClusterSchema;
// @ts-expect-error a oneof needs a discriminating `case`
create(JwtAuthenticationSchema, { providers: { idp: { jwksSourceSpecifier: { value: {} } } } });
