/**
 * Which listeners split their routes into scopes, and what a scoped listener compiles to: one
 * route configuration per leading path segments with the SRDS resource naming it under the key
 * (listener, segments), the key header written before route selection and removed before the
 * upstream, and the same routes inlined by the static bootstrap. Through Envoy:
 * test/e2e/route-scopes.test.ts (and every end-to-end test, which runs scoped listeners).
 */
import { describe, expect, it } from "vitest";
import type { Listener } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import type { RouteConfiguration } from "../../generated/envoy/config/route/v3/route_pb.js";
import type { ScopedRouteConfiguration } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { HeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import { compileGatewayFile } from "../../src/compile.ts";
import { unpack } from "../../src/envoy/any.ts";
import * as xds from "../../src/envoy/type-urls.ts";
import { ROUTE_SCOPE_HEADER } from "../../src/model/route-scope-header.ts";
import { connectionManagers } from "../../src/verify/resources.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { scopeKey } from "../../src/xds/route-scopes.ts";
import type { Snapshot } from "../../src/xds/snapshot.ts";
import { AI_HEAD, APP_KEYS, yamlCompiler } from "../support/yaml-compile.ts";

const compile = yamlCompiler(AI_HEAD, { env: { APP_KEYS, K: "sk-never-printed" } });
const PUBLIC = `{ public: { reason: "scope test" } }`;
const SVC = `providers:
  svc: { type: service, endpoints: ["127.0.0.1:3000"], plaintext: { reason: "a test backend on loopback" } }
`;
const api = (basePath: string, path: string, more = "") => `  - name: a${basePath.replace(/\W/g, "") || "root"}
    owner: team
    basePath: ${basePath}
${more}    versions:
      v1: { state: published, access: ${PUBLIC}, routes: [{ name: r, match: { path: "${path}" }, provider: svc }] }
`;

const names = (snapshot: Snapshot, typeUrl: string) => [...(snapshot.resources.get(typeUrl)?.keys() ?? [])];

function connectionManager(snapshot: Snapshot, listener: string) {
  return connectionManagers(snapshot.resources.get(xds.LISTENER_TYPE_URL)!.get(listener)!.message as Listener)[0]!.hcm;
}

async function snapshotOf(yaml: string): Promise<Snapshot> {
  const result = await compile(yaml);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.snapshot!;
}

describe("scope keys", () => {
  it("are a path's leading segments when they are literal", () => {
    expect(scopeKey("/v1/orders", 1)).toEqual(["v1"]);
    expect(scopeKey("/v1/orders/{id}", 2)).toEqual(["v1", "orders"]);
    expect(scopeKey("/v1", 1)).toEqual(["v1"]);
    expect(scopeKey("/v1", 2)).toBeUndefined();
    expect(scopeKey("/v1/", 2)).toBeUndefined();
    expect(scopeKey("/.well-known/oauth-protected-resource", 1)).toEqual([".well-known"]);
    expect(scopeKey("/", 1)).toBeUndefined();
    expect(scopeKey("/{tenant}/orders", 1)).toBeUndefined();
    expect(scopeKey("/v1/{tenant}", 2)).toBeUndefined();
    expect(scopeKey("/**", 1)).toBeUndefined();
    expect(scopeKey("/caf%C3%A9/menu", 1)).toBeUndefined();
  });
});

describe("a listener whose routes all start with literal segments", () => {
  it("gets one route configuration per API version, each named by a scope keyed (listener, version, API)", async () => {
    const snapshot = await snapshotOf(`${SVC}apis:\n${api("/orders", "/list")}${api("/users", "/me", "    versioning: { by: header, header: X-Api-Version, default: v1 }\n")}`);
    expect(names(snapshot, xds.SCOPED_ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web/users/me", "web/v1/orders"]);
    expect(names(snapshot, xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web/users/me", "web/v1/orders"]);
    const scope = snapshot.resources.get(xds.SCOPED_ROUTE_CONFIGURATION_TYPE_URL)!.get("web/v1/orders")!.message as ScopedRouteConfiguration;
    expect(scope.routeConfigurationName).toBe("web/v1/orders");
    expect(scope.key!.fragments.map((fragment) => fragment.type.value)).toEqual(["web", "v1", "orders"]);
    const v1 = snapshot.resources.get(xds.ROUTE_CONFIGURATION_TYPE_URL)!.get("web/v1/orders")!.message as RouteConfiguration;
    expect(v1.requestHeadersToRemove).toEqual([ROUTE_SCOPE_HEADER]);
    // The table holds one API version: its virtual host carries the API and version, its routes are named within them.
    expect(v1.virtualHosts.map((host) => host.metadata?.filterMetadata["portcullis"])).toEqual([{ api: "aorders", version: "v1" }]);
    expect(v1.virtualHosts.flatMap((host) => host.routes.map((route) => route.name))).toContain("r");
    const users = snapshot.resources.get(xds.ROUTE_CONFIGURATION_TYPE_URL)!.get("web/users/me")!.message as RouteConfiguration;
    expect(users.virtualHosts.map((host) => host.metadata?.filterMetadata["portcullis"])).toEqual([{ api: "ausers", version: "v1" }]);

    const hcm = connectionManager(snapshot, "web");
    if (hcm.routeSpecifier.case !== "scopedRoutes") throw new Error(`not scoped: ${hcm.routeSpecifier.case}`);
    expect(hcm.routeSpecifier.value.scopeKeyBuilder!.fragments.map((f) => f.type.case === "headerValueExtractor" && f.type.value.extractType.value)).toEqual([0, 1, 2]);
    const mutation = unpack(hcm.earlyHeaderMutationExtensions.at(-1)!.typedConfig!, HeaderMutationSchema).mutations[0]!.action;
    expect(mutation.case === "append" && mutation.value.header).toMatchObject({ key: ROUTE_SCOPE_HEADER, value: "web%PATH(NQ)%" });
  });

  it("keys on the first segment alone when a route has only one (/users)", async () => {
    const snapshot = await snapshotOf(`${SVC}apis:\n${api("/orders", "/list")}${api("/users", "/", "    versioning: { by: header, header: X-Api-Version, default: v1 }\n")}`);
    expect(names(snapshot, xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web/users", "web/v1"]);
    const hcm = connectionManager(snapshot, "web");
    expect(hcm.routeSpecifier.case === "scopedRoutes" && hcm.routeSpecifier.value.scopeKeyBuilder!.fragments).toHaveLength(2);
  });

  it("keeps each listener's scopes apart, and the static bootstrap inlines each listener's own", async () => {
    // Envoy hands every scoped listener every scope: the key starts with the listener's name.
    const twoListeners = await yamlCompiler(`gateway:
  name: two
  listeners:
    - { name: inside, port: 8080, hostnames: [a.test] }
    - { name: outside, port: 8081, hostnames: [b.test] }
`)(`${SVC}apis:
  - name: orders
    owner: team
    basePath: /orders
    hostnames: [a.test, b.test]
    versions:
      v1: { state: published, access: ${PUBLIC}, routes: [{ name: r, match: { path: /list }, provider: svc }] }
`);
    expect(twoListeners.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const snapshot = twoListeners.snapshot!;
    expect(names(snapshot, xds.SCOPED_ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["inside/v1/orders", "outside/v1/orders"]);

    const inlined = buildStaticBootstrap(snapshot).staticResources!.listeners.map((listener) => {
      const spec = connectionManagers(listener)[0]!.hcm.routeSpecifier;
      if (spec.case !== "scopedRoutes" || spec.value.configSpecifier.case !== "scopedRouteConfigurationsList") throw new Error(`${listener.name}: not inline scopes (${spec.case})`);
      return [listener.name, spec.value.configSpecifier.value.scopedRouteConfigurations.map((scope) => [scope.name, scope.routeConfiguration?.name, scope.routeConfigurationName])];
    });
    expect(inlined).toEqual([
      ["inside", [["inside/v1/orders", "inside/v1/orders", ""]]],
      ["outside", [["outside/v1/orders", "outside/v1/orders", ""]]],
    ]);
  });
});

describe("a one-route edit", () => {
  it("builds and encodes only its own scope's route table again", async () => {
    const yaml = (extra: string) => `${SVC}apis:
  - name: orders
    owner: team
    basePath: /orders
    versions:
      v1: { state: published, access: ${PUBLIC}, routes: [{ name: r, match: { path: /list }, provider: svc }] }
      v2: { state: published, access: ${PUBLIC}, routes: [{ name: r, match: { path: /list }, provider: svc }${extra}] }
`;
    const tables = async (extra: string) => (await snapshotOf(yaml(extra))).resources.get(xds.ROUTE_CONFIGURATION_TYPE_URL)!;
    const before = await tables("");
    const after = await tables(", { name: s, match: { path: /stats }, provider: svc }");
    expect(after.get("web/v1/orders")).toBe(before.get("web/v1/orders"));
    expect(after.get("web/v2/orders")).not.toBe(before.get("web/v2/orders"));
    expect(after.get("web/v2/orders")!.version).not.toBe(before.get("web/v2/orders")!.version);
  });
});

describe("a listener keeps one route table", () => {
  it("when a route has no literal first segment", async () => {
    const snapshot = await snapshotOf(`${SVC}apis:\n${api("/orders", "/list")}${api("/", "/", "    versioning: { by: header, header: X-Api-Version, default: v1 }\n")}`);
    expect(names(snapshot, xds.SCOPED_ROUTE_CONFIGURATION_TYPE_URL)).toEqual([]);
    expect(names(snapshot, xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web"]);
    expect(connectionManager(snapshot, "web").routeSpecifier.case).toBe("rds");
    expect(connectionManager(snapshot, "web").earlyHeaderMutationExtensions).toHaveLength(1);
  });

  it("when the AI processor would move a Responses call to another scope (an AI base path of /)", async () => {
    const ai = (basePath: string) => `providers:
  oai: { type: openai, apiKey: { env: K } }
ai:
  basePath: ${basePath}
  access: { allow: [{ identity: apps }] }
  models:
    fast: { targets: [{ provider: oai, model: gpt-4o-mini }] }
`;
    expect(names(await snapshotOf(ai("/ai/v1")), xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web/ai/v1"]);
    expect(names(await snapshotOf(ai("/ai")), xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web/ai"]);
    expect(names(await snapshotOf(ai("/")), xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(["web"]);
  });

  it("when the MCP JSON-REST bridge re-routes tool calls to REST routes", async () => {
    const snapshot = (await compileGatewayFile("test/golden/mcp-rest-tools/gateway.yaml", { secrets: "placeholder" })).snapshot!;
    expect(names(snapshot, xds.SCOPED_ROUTE_CONFIGURATION_TYPE_URL)).toEqual([]);
    expect(names(snapshot, xds.ROUTE_CONFIGURATION_TYPE_URL)).toEqual(names(snapshot, xds.LISTENER_TYPE_URL));
  });
});
