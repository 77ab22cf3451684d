/**
 * Prompt and resource rules of an MCP API through real Envoy, with the official MCP SDK on both
 * sides: each caller's prompts/list, resources/list and resources/templates/list hold only what
 * its rules allow (server-sent events and JSON answers), and a prompts/get or resources/read the
 * rules refuse comes back as the JSON-RPC error a server gives for something it does not have,
 * without reaching the server.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAllEnvoys } from "../support/envoy.ts";
import { connectClient as connect, type McpGatewayUnderTest, mcpRefusal as refusal, startMcpGateway } from "../mcp/mcp-gateway.ts";

let gateway: McpGatewayUnderTest;

beforeAll(async () => {
  gateway = await startMcpGateway();
});

afterAll(async () => {
  await gateway?.stop();
  await stopAllEnvoys();
});

describe.each([
  ["server-sent events", () => gateway.url, (claims: Record<string, unknown>) => gateway.token(claims)],
  ["JSON answers", () => gateway.jsonUrl, (claims: Record<string, unknown>) => gateway.token(claims, gateway.jsonUrl)],
])("prompt and resource rules through the gateway (%s)", (_kind, url, token) => {
  it("lists to each caller only the prompts, resources and templates its rules allow", async () => {
    const admin = await connect(url(), token({ sub: "ada", roles: ["admin"] }));
    const reader = await connect(url(), token({ sub: "rex" }));
    const prompts = async (client: Client) => (await client.listPrompts()).prompts.map((prompt) => prompt.name).sort();
    const resources = async (client: Client) => (await client.listResources()).resources.map((resource) => resource.uri).sort();
    const templates = async (client: Client) => (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate).sort();
    expect(await prompts(admin)).toEqual(["admin_report", "greeting"]);
    expect(await prompts(reader)).toEqual(["greeting"]);
    expect(await resources(admin)).toEqual(["docs://internal/salaries", "docs://public/readme"]);
    expect(await resources(reader)).toEqual(["docs://public/readme"]);
    expect(await templates(admin)).toEqual(["docs://internal/pages/{page}", "docs://public/pages/{page}"]);
    expect(await templates(reader)).toEqual(["docs://public/pages/{page}"]);
    await admin.close();
    await reader.close();
  });

  it("gets an allowed prompt and reads an allowed resource", async () => {
    const admin = await connect(url(), token({ sub: "ada", roles: ["admin"] }));
    const got = await admin.getPrompt({ name: "admin_report" });
    expect(got.messages).toEqual([{ role: "user", content: { type: "text", text: "admin_report text" } }]);
    const read = await admin.readResource({ uri: "docs://internal/salaries" });
    expect(read.contents).toEqual([{ uri: "docs://internal/salaries", text: "docs://internal/salaries contents" }]);
    await admin.close();
  });

  it("refuses a prompt or resource the caller may not use with a JSON-RPC error, before the server", async () => {
    const reader = await connect(url(), token({ sub: "rex" }));
    const before = { prompt: gateway.server.calls.get("prompt:admin_report") ?? 0, resource: gateway.server.calls.get("resource:docs://internal/salaries") ?? 0 };
    expect(await refusal(reader.getPrompt({ name: "admin_report" }))).toEqual({ code: -32602, message: "MCP error -32602: Prompt admin_report is not available to this caller." });
    expect(await refusal(reader.readResource({ uri: "docs://internal/salaries" }))).toEqual({ code: -32002, message: "MCP error -32002: Resource docs://internal/salaries is not available to this caller." });
    // A resource no rule names is refused too, and so is subscribing to one the caller may not read.
    expect((await refusal(reader.readResource({ uri: "docs://elsewhere/x" }))).code).toBe(-32002);
    expect((await refusal(reader.subscribeResource({ uri: "docs://internal/salaries" }))).code).toBe(-32002);
    expect(gateway.server.calls.get("prompt:admin_report") ?? 0).toBe(before.prompt);
    expect(gateway.server.calls.get("resource:docs://internal/salaries") ?? 0).toBe(before.resource);
    // The session stays usable: an allowed prompt still works.
    expect((await reader.getPrompt({ name: "greeting" })).messages).toHaveLength(1);
    await reader.close();
  });
});
