/**
 * API versions published as MCP tools, at compile time: the tools made from the routes and the
 * OpenAPI document (names, REST requests, input schemas with $refs inlined), the two routes and
 * the bridge's Envoy config, and every way a tool cannot be published, refused where it is written.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderByType } from "../../src/xds/render.ts";
import { yamlCompiler } from "../support/yaml-compile.ts";

const HEAD = `gateway:
  name: rest-tools
  listeners: [{ name: web, port: 8080, hostnames: [gw.test] }]
identities:
  sso: { type: jwt, issuer: "https://sso.test/", jwks: { url: "https://sso.test/jwks" }, claims: { roles: roles } }
providers:
  orders: { type: service, endpoints: ["orders.internal:8443"], tls: {} }
`;

const compile = yamlCompiler(HEAD);
const compileWithAudiences = yamlCompiler(HEAD.replace('issuer: "https://sso.test/",', 'issuer: "https://sso.test/", audiences: ["https://api.test"],'));
const dir = mkdtempSync(join(tmpdir(), "portcullis-rest-tools-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPENAPI = join(dir, "orders.openapi.json");
writeFileSync(
  OPENAPI,
  JSON.stringify({
    openapi: "3.1.0",
    info: { title: "Orders", version: "1" },
    servers: [{ url: "https://api.example.com/v1" }],
    paths: {
      "/orders/{orderId}": {
        parameters: [{ $ref: "#/components/parameters/OrderId" }],
        get: { operationId: "getOrder", summary: "Get one order", parameters: [{ name: "view", in: "query", schema: { enum: ["brief", "full"] } }] },
        delete: { operationId: "deleteOrder", description: "Cancel an order." },
      },
      "/orders": {
        post: { operationId: "createOrder", requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/NewOrder" } } } } },
        get: { operationId: "listOrders", parameters: [{ name: "x-tenant", in: "header", required: true }] },
      },
      "/refunds": { post: { operationId: "refund", requestBody: { content: { "application/json": {} } } } },
    },
    components: {
      parameters: { OrderId: { name: "orderId", in: "path", required: true, schema: { type: "string" } } },
      schemas: { NewOrder: { type: "object", properties: { item: { type: "string" }, next: { $ref: "#/components/schemas/NewOrder" } }, required: ["item"] } },
    },
  }),
);

const ORDERS = (mcp: string, more = "") => `apis:
  - name: orders
    owner: team
    basePath: /orders
    openapi: ${OPENAPI}
    versions:
      v1:
        state: published
        access: { allow: [{ identity: sso }] }
        routes:
          - { name: one, match: { template: "/{id}", methods: [GET, DELETE] }, provider: orders }
          - { name: create, match: { path: /, methods: [POST] }, provider: orders, access: { allow: [{ identity: sso, roles: [writer] }] } }
          - { name: list, match: { path: /, methods: [GET] }, provider: orders }
          - { name: ping, match: { path: /ping, methods: [GET] }, provider: orders, description: "Is it up?" }
          - { name: files, match: { prefix: /files }, provider: orders }
${more}        mcp:
${mcp}`;

/** The findings about published tools, but the missing resource URL (its own test below). */
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.filter((d) => /^PCL41[89]/.test(d.code) && d.code !== "PCL4187").map((d) => [d.code, d.severity, d.location?.line]);

describe("an API version published as MCP tools", () => {
  it("makes a tool of each operation a route serves, and of each single-method route without one", async () => {
    const result = await compile(ORDERS("          path: /mcp/orders\n          tools: [getOrder, deleteOrder, createOrder, ping]\n"));
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(found(result)).toEqual([]);
    const endpoint = result.ir!.routes.find((route) => route.id === "@mcp.orders@v1")!;
    expect(endpoint.match).toMatchObject({ kind: "exact", path: "/mcp/orders", methods: ["POST"] });
    expect(endpoint.mcpRestTools).toMatchObject({
      name: "orders@v1",
      path: "/mcp/orders",
      toolsListPath: "/mcp/orders/tools",
      tools: [
        { name: "createOrder", method: "POST", path: "/v1/orders", bodyArgument: "body", route: "orders.v1.create" },
        { name: "deleteOrder", method: "DELETE", path: "/v1/orders/{orderId}", route: "orders.v1.one" },
        { name: "getOrder", method: "GET", path: "/v1/orders/{orderId}", route: "orders.v1.one" },
        { name: "ping", method: "GET", path: "/v1/orders/ping", route: "orders.v1.ping" },
      ],
    });
    // Each tool carries its route's access, by which the processor cuts the list down per caller.
    const access = Object.fromEntries(endpoint.mcpRestTools!.tools.map((tool) => [tool.name, tool.access.kind === "identities" ? tool.access.rules.map((rule) => rule.roles) : tool.access.kind]));
    expect(access).toEqual({ createOrder: [["writer"]], deleteOrder: [[]], getOrder: [[]], ping: [[]] });
    expect(result.ir!.mcp).toMatchObject({ apis: [], restTools: [endpoint.mcpRestTools], processor: { address: { kind: "tcp", host: "127.0.0.1" } } });
    const list = result.ir!.routes.find((route) => route.id === "@mcp.orders@v1.tools")!;
    expect(list.mcpToolList).toBe(true);
    expect(list.access).toMatchObject({ kind: "identities", rules: [{ identity: "sso" }] });
    const { tools } = JSON.parse(list.action.kind === "respond" ? list.action.body : "{}") as { tools: Record<string, unknown>[] };
    expect(tools.find((tool) => tool["name"] === "getOrder")).toEqual({
      name: "getOrder",
      title: "Get one order",
      description: "Get one order",
      inputSchema: { type: "object", properties: { orderId: { type: "string" }, view: { enum: ["brief", "full"] } }, required: ["orderId"] },
    });
    // The body's schema inlined, the cycle back to it cut open.
    expect(tools.find((tool) => tool["name"] === "createOrder")!["inputSchema"]).toEqual({
      type: "object",
      properties: { body: { type: "object", properties: { item: { type: "string" }, next: {} }, required: ["item"] } },
      required: ["body"],
    });
    expect(tools.find((tool) => tool["name"] === "ping")).toEqual({ name: "ping", description: "Is it up?", inputSchema: { type: "object", properties: {} } });
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    expect(rendered).toContain("name: envoy.filters.http.mcp_json_rest_bridge");
    expect(rendered).toContain("per_route_only: true");
    expect(rendered).toMatch(/get: \/v1\/orders\/\{orderId\}/);
    expect(rendered).toContain("tool_list_http_rule:");
  });

  it("without a tools list publishes every route that can be a tool and says which cannot", async () => {
    const result = await compile(ORDERS("          path: /mcp/orders\n"));
    const names = result.ir!.routes.find((route) => route.id === "@mcp.orders@v1")!.mcpRestTools!.tools.map((tool) => tool.name);
    expect(names).toEqual(["createOrder", "deleteOrder", "getOrder", "ping"]);
    // list needs a header parameter; files is a prefix: both pointed at.
    expect(found(result)).toEqual([
      ["PCL4181", "warning", 20],
      ["PCL4181", "warning", 22],
    ]);
    expect(result.diagnostics.find((d) => d.location?.line === 20)?.message).toContain("x-tenant");
  });

  it("warns when a tool's route admits callers by claims or address, which the list filter cannot judge", async () => {
    const result = await compile(ORDERS("          path: /mcp/orders\n          tools: [createOrder, getOrder]\n").replace("access: { allow: [{ identity: sso, roles: [writer] }] }", "access: { allow: [{ identity: sso, claims: { tenant: acme } }] }"));
    expect(found(result)).toEqual([["PCL4185", "warning", 24]]);
    expect(result.diagnostics.find((d) => d.code === "PCL4185")!.message).toContain("createOrder (route orders.v1.create) is left out of tools/list");
  });

  it("refuses tools it cannot publish, where they are named", async () => {
    const result = await compile(ORDERS("          path: /mcp/orders\n          tools: [nothing, refund, files, list]\n"));
    expect(found(result)).toEqual([
      ["PCL4180", "error", 25],
      ["PCL4180", "error", 25],
      ["PCL4181", "error", 25],
      ["PCL4181", "error", 25],
      ["PCL4181", "warning", 24],
    ]);
    const messages = result.diagnostics.map((d) => d.message).join("\n");
    expect(messages).toContain("operation refund (POST /refunds) is in the OpenAPI document, but no route of API orders v1 serves it");
    expect(messages).toContain("it matches a path prefix");
  });

  it("refuses a draft version, a taken path and an unreadable document", async () => {
    const draft = await compile(ORDERS("          path: /mcp/orders\n").replace("state: published", "state: draft"));
    expect(found(draft)).toEqual([["PCL4182", "error", 24]]);
    const taken = await compile(ORDERS("          path: /v1/orders/ping\n"));
    expect(found(taken).filter(([code]) => code === "PCL4183")).toEqual([["PCL4183", "error", 24]]);
    const missing = await compile(ORDERS("          path: /mcp/orders\n").replace(OPENAPI, join(dir, "missing.yaml")));
    expect(found(missing)).toContainEqual(["PCL4186", "error", 12]);
  });

  it("serves the endpoint's protected-resource metadata when it names its resource URL, and warns when clients could not find a token", async () => {
    const without = await compile(ORDERS("          path: /mcp/orders\n          tools: [getOrder]\n"));
    expect(without.diagnostics.filter((d) => d.code === "PCL4187").map((d) => [d.severity, d.location?.line])).toEqual([["warning", 24]]);
    const withResource = await compile(ORDERS("          path: /mcp/orders\n          tools: [getOrder]\n          resource: https://gw.test/mcp/orders\n"));
    expect(withResource.diagnostics.filter((d) => d.code === "PCL4187" || d.code === "PCL4188")).toEqual([]);
    const endpoint = withResource.ir!.mcp!.restTools[0]!;
    expect(endpoint.resourceMetadataUrl).toBe("https://gw.test/.well-known/oauth-protected-resource/mcp/orders");
    const route = withResource.ir!.routes.find((r) => r.match.path === "/.well-known/oauth-protected-resource/mcp/orders")!;
    expect([route.access.kind, route.action.kind === "respond" && JSON.parse(route.action.body)]).toEqual([
      "public",
      { resource: "https://gw.test/mcp/orders", authorization_servers: ["https://sso.test/"], bearer_methods_supported: ["header"], resource_name: "orders@v1" },
    ]);
    // An identity whose audiences would refuse tokens issued for the resource is pointed at.
    const audiences = await compileWithAudiences(ORDERS("          path: /mcp/orders\n          tools: [getOrder]\n          resource: https://gw.test/mcp/orders\n"));
    expect(audiences.diagnostics.filter((d) => d.code === "PCL4188").map((d) => d.message)).toEqual(['Tokens issued for https://gw.test/mcp/orders would be refused: identity "sso" accepts only the audiences https://api.test.']);
    const wrongPath = await compile(ORDERS("          path: /mcp/orders\n          tools: [getOrder]\n          resource: https://gw.test/mcp/other\n"));
    expect(wrongPath.diagnostics.filter((d) => d.code === "PCL4124").map((d) => d.message)).toEqual(["The resource URL of API orders v1 has the path /mcp/other, not the endpoint's path /mcp/orders."]);
  });
});
