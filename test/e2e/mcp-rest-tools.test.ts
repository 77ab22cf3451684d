/**
 * A REST API published as MCP tools, through real Envoy and its mcp_json_rest_bridge filter, with
 * the official MCP SDK client: the tools come from the OpenAPI document (names, descriptions,
 * input schemas), a call reaches the real backend as the REST request (method, path, query, JSON
 * body), its answer comes back as the tool result (isError for a 4xx), and every call is decided
 * by the REST route's own identities and access rules — the same decision, caller for caller, as
 * the direct REST call, and a refused call never reaches the backend.
 */
import { createHash } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAllEnvoys } from "../support/envoy.ts";
import { connectClient } from "../mcp/mcp-gateway.ts";
import { type RestToolsGateway, startRestToolsGateway } from "../mcp/rest-tools-gateway.ts";

let gateway: RestToolsGateway;

beforeAll(async () => {
  gateway = await startRestToolsGateway();
});

afterAll(async () => {
  await gateway?.stop();
  await stopAllEnvoys();
});

const reader = () => gateway.token({ sub: "rex" });
const writer = () => gateway.token({ sub: "wendy", roles: ["writer"] });
const admin = () => gateway.token({ sub: "ada", roles: ["admin"] });

const connect = (token?: string) => connectClient(gateway.mcpUrl, token);

const text = (result: Awaited<ReturnType<Client["callTool"]>>) => (result.content as { type: string; text: string }[])[0]!.text;

/** A raw JSON-RPC tools/call: the HTTP status and the JSON-RPC answer. */
async function rawCall(token: string | undefined, name: string, args: Record<string, unknown>) {
  const response = await fetch(gateway.mcpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } }),
  });
  return { status: response.status, body: (await response.json()) as { result?: { isError?: boolean }; error?: { message: string } } };
}

describe("a REST API published as MCP tools, through real Envoy", () => {
  it("lists the OpenAPI operations as tools with their input schemas", async () => {
    const client = await connect(gateway.token({ sub: "max", roles: ["writer", "admin"] }));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["cancelOrder", "createOrder", "getOrder"]);
    const getOrder = tools.find((tool) => tool.name === "getOrder")!;
    expect(getOrder.description).toBe("Get one order");
    expect(getOrder.inputSchema).toEqual({
      type: "object",
      properties: { orderId: { type: "string", description: "The order's id." }, view: { type: "string", enum: ["brief", "full"] } },
      required: ["orderId"],
    });
    expect(tools.find((tool) => tool.name === "createOrder")!.inputSchema).toEqual({
      type: "object",
      properties: { body: { type: "object", properties: { item: { type: "string" }, quantity: { type: "integer" } }, required: ["item"] } },
      required: ["body"],
    });
    await client.close();
  });

  it("lists to each caller only the tools its routes admit", async () => {
    const listed: Record<string, string[]> = {};
    for (const [who, token] of Object.entries({ reader: reader(), writer: writer(), admin: admin() })) {
      const client = await connect(token);
      listed[who] = (await client.listTools()).tools.map((tool) => tool.name).sort();
      await client.close();
    }
    expect(listed).toEqual({ reader: ["getOrder"], writer: ["createOrder", "getOrder"], admin: ["cancelOrder", "getOrder"] });
    // The JSON tool list the bridge reads is the same caller's list.
    const json = await fetch(`${gateway.mcpUrl}/tools`, { headers: { authorization: `Bearer ${writer()}` } });
    expect(((await json.json()) as { tools: { name: string }[] }).tools.map((tool) => tool.name)).toEqual(["createOrder", "getOrder"]);
  });

  it("calls a tool as its REST request and returns the answer as the result", async () => {
    const client = await connect(reader());
    const before = gateway.received.length;
    const result = await client.callTool({ name: "getOrder", arguments: { orderId: "A 1/2", view: "full" } });
    expect(result.isError).toBe(false);
    // The path argument is escaped into one segment; the others become the query string.
    expect(JSON.parse(text(result))).toEqual({ method: "GET", path: "/v1/orders/A%201%2F2?view=full", body: "" });
    expect(gateway.received.slice(before).map((r) => [r.method, r.path])).toEqual([["GET", "/v1/orders/A%201%2F2?view=full"]]);
    await client.close();
  });

  it("sends the body argument as the JSON request body, for a caller the route admits", async () => {
    const client = await connect(writer());
    const before = gateway.received.length;
    const result = await client.callTool({ name: "createOrder", arguments: { body: { item: "book", quantity: 2 } } });
    expect(result.isError).toBe(false);
    const [request] = gateway.received.slice(before);
    expect([request!.method, request!.path, request!.headers["content-type"], JSON.parse(request!.body)]).toEqual(["POST", "/v1/orders", "application/json", { item: "book", quantity: 2 }]);
    // The backend gets the caller's identity the way a direct call gives it.
    expect([request!.headers["x-portcullis-identity"], request!.headers["x-portcullis-subject"]]).toEqual(["sso", "wendy"]);
    await client.close();
  });

  it("marks a backend error as a failed tool call", async () => {
    const client = await connect(reader());
    const result = await client.callTool({ name: "getOrder", arguments: { orderId: "missing-9" } });
    expect(result.isError).toBe(true);
    expect(JSON.parse(text(result))).toEqual({ error: "no such order" });
    await client.close();
  });

  it("refuses a call the REST route refuses, before the backend", async () => {
    const client = await connect(reader());
    const before = gateway.received.length;
    await expect(client.callTool({ name: "cancelOrder", arguments: { orderId: "A-1" } })).rejects.toThrow(/403/);
    await expect(client.callTool({ name: "createOrder", arguments: { body: { item: "book" } } })).rejects.toThrow(/403/);
    expect(gateway.received.length).toBe(before);
    await client.close();
  });

  it("decides every call as the direct REST call is decided, caller for caller", async () => {
    const calls: { tool: string; args: Record<string, unknown>; rest: [string, string] }[] = [
      { tool: "getOrder", args: { orderId: "A-1" }, rest: ["GET", "/v1/orders/A-1"] },
      { tool: "createOrder", args: { body: { item: "pen" } }, rest: ["POST", "/v1/orders"] },
      { tool: "cancelOrder", args: { orderId: "A-1" }, rest: ["DELETE", "/v1/orders/A-1"] },
    ];
    const callers = { anonymous: undefined, reader: reader(), writer: writer(), admin: admin() };
    const decisions: string[] = [];
    for (const [who, token] of Object.entries(callers)) {
      for (const call of calls) {
        const before = gateway.received.length;
        const viaMcp = await rawCall(token, call.tool, call.args);
        const reachedViaMcp = gateway.received.length > before;
        const direct = await fetch(`${gateway.base}${call.rest[1]}`, {
          method: call.rest[0],
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(call.rest[0] === "POST" ? { body: JSON.stringify(call.args["body"]) } : {}),
        });
        await direct.arrayBuffer();
        expect(viaMcp.status, `${who} ${call.tool}`).toBe(direct.status);
        expect(reachedViaMcp, `${who} ${call.tool} reached the backend`).toBe(direct.status === 200);
        expect(viaMcp.body.result?.isError ?? true, `${who} ${call.tool} isError`).toBe(direct.status !== 200);
        decisions.push(`${who} ${call.tool} ${viaMcp.status}`);
      }
    }
    expect(decisions).toEqual([
      "anonymous getOrder 401",
      "anonymous createOrder 401",
      "anonymous cancelOrder 401",
      "reader getOrder 200",
      "reader createOrder 403",
      "reader cancelOrder 403",
      "writer getOrder 200",
      "writer createOrder 200",
      "writer cancelOrder 403",
      "admin getOrder 200",
      "admin createOrder 403",
      "admin cancelOrder 200",
    ]);
  });

  it("lists tools only to callers the endpoint admits, and refuses a path argument that climbs out", async () => {
    const anonymous = await connect();
    await expect(anonymous.listTools()).rejects.toThrow(/Server error/);
    await anonymous.close();
    const list = await fetch(gateway.mcpUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    // The 401 names the endpoint's protected-resource metadata, which Envoy serves to anyone.
    const metadataUrl = `${gateway.base}/.well-known/oauth-protected-resource/mcp/orders`;
    expect([list.status, list.headers.get("www-authenticate")]).toEqual([401, `Bearer resource_metadata="${metadataUrl}"`]);
    const metadata = await fetch(metadataUrl);
    expect(await metadata.json()).toEqual({ resource: gateway.mcpUrl, authorization_servers: ["https://sso.test/"], bearer_methods_supported: ["header"], resource_name: "orders@v1" });
    const refusedCall = await rawCall(undefined, "getOrder", { orderId: "A-1" });
    expect(refusedCall.status).toBe(401);
    const before = gateway.received.length;
    const climbing = await rawCall(reader(), "getOrder", { orderId: ".." });
    expect(climbing.body.error?.message).toMatch(/path traversal/);
    const unknown = await rawCall(reader(), "deleteEverything", {});
    expect(unknown.body.error?.message).toMatch(/Unknown tool/);
    expect(gateway.received.length).toBe(before);
  });

  it("audits each tool call: who, which tool and route, a hash of the arguments, the decision", async () => {
    const before = gateway.audit.length;
    const secret = `pen-${Date.now()}`;
    expect((await rawCall(writer(), "createOrder", { body: { item: secret } })).status).toBe(200);
    expect((await rawCall(reader(), "cancelOrder", { orderId: "A-1" })).status).toBe(403);
    expect((await rawCall(undefined, "getOrder", { orderId: "A-1" })).status).toBe(401);
    await rawCall(reader(), "deleteEverything", {});
    const records = gateway.audit.slice(before);
    const fields = records.map((r) => [r.tool, r.decision, r.identity, r.subject, r.server, r.status]);
    expect(fields).toEqual([
      ["createOrder", "allowed", "sso", "wendy", "orders.v1.create-order", 200],
      // Refused by the route's rules after the token was verified: who it was is still known.
      ["cancelOrder", "refused", "sso", "rex", "orders.v1.cancel-order", 403],
      ["getOrder", "refused", undefined, undefined, "orders.v1.get-order", 401],
      ["deleteEverything", "refused", undefined, undefined, "", 200],
    ]);
    expect(records.map((r) => r.api)).toEqual(Array(4).fill("orders@v1"));
    expect(records[0]!.argumentsSha256).toBe(createHash("sha256").update(JSON.stringify({ body: { item: secret } })).digest("hex"));
    expect(records[1]!.reason).toBe("the tool's route does not admit the caller");
    expect(records[3]!.reason).toMatch(/^no route took the call/);
    expect(JSON.stringify(records)).not.toContain(secret);
  });

  it("refuses a body a reader could take two ways before the bridge reads it, and audits the refusal", async () => {
    const before = { audit: gateway.audit.length, received: gateway.received.length };
    const response = await fetch(gateway.mcpUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${admin()}` },
      body: '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"getOrder","name":"cancelOrder","arguments":{"orderId":"A-1"}}}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/duplicate/);
    expect(gateway.received.length).toBe(before.received);
    expect(gateway.audit.slice(before.audit).map((r) => [r.tool, r.decision, r.status])).toEqual([["cancelOrder", "refused", 400]]);
  });
});
