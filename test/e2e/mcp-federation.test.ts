/**
 * MCP federation through real Envoy (its mcp_router) with the official SDK on both sides: two
 * servers behind one endpoint, their tools merged and named by prefix, each caller's list cut to
 * its tool rules, each call sent to the server its prefix names (without the prefix, with that
 * server's own token, never the client's), a refused prefixed tool never reaching a server,
 * sessions bound to the caller that opened them, and the audit naming the prefixed tool.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stopAllEnvoys } from "../support/envoy.ts";
import { type FederationUnderTest, startFederation } from "../mcp/federation-gateway.ts";
import { mcpRefusal } from "../mcp/mcp-gateway.ts";

let gateway: FederationUnderTest;

beforeAll(async () => {
  gateway = await startFederation();
});

afterAll(async () => {
  await gateway?.stop();
  await stopAllEnvoys();
});

async function connect(token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "federation-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return { client, transport };
}

const admin = () => gateway.token({ sub: "ada", roles: ["admin"] });
const reader = () => gateway.token({ sub: "rex", scope: "files:read" });
const rpc = (token: string, session: string, body: object, url = gateway.url) =>
  fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", "mcp-session-id": session },
    body: JSON.stringify({ jsonrpc: "2.0", ...body }),
  });

describe("a federated MCP endpoint", () => {
  it("lists both servers' tools, named by prefix, cut to each caller's tool rules, with their schemas intact", async () => {
    const { client: adminClient } = await connect(admin());
    const { client: readerClient } = await connect(reader());
    const adminTools = (await adminClient.listTools()).tools;
    expect(adminTools.map((tool) => tool.name).sort()).toEqual(["docs__search_code", "docs__search_docs", "repo__delete_repo", "repo__search_code", "repo__search_docs"]);
    expect((await readerClient.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["docs__read_file", "docs__search_code", "docs__search_docs", "repo__search_code", "repo__search_docs"]);
    expect(adminTools.find((tool) => tool.name === "repo__delete_repo")).toMatchObject({ description: "The delete_repo tool.", inputSchema: { type: "object", properties: {} } });
    expect(adminClient.getServerCapabilities()?.tools).toBeDefined();
    await adminClient.close();
    await readerClient.close();
  });

  it("sends a call to the server its prefix names, without the prefix, with that server's token and never the client's", async () => {
    const clientToken = admin();
    const { client } = await connect(clientToken);
    const before = { repo: gateway.repo.calls.get("delete_repo") ?? 0, docs: gateway.docs.calls.get("delete_repo") ?? 0, docsSearch: gateway.docs.calls.get("search_docs") ?? 0 };
    const repoBodies = gateway.repo.bodies.length;
    expect((await client.callTool({ name: "repo__delete_repo", arguments: {} })).content).toEqual([{ type: "text", text: "delete_repo ran" }]);
    expect(gateway.repo.calls.get("delete_repo")).toBe(before.repo + 1);
    expect(gateway.docs.calls.get("delete_repo") ?? 0).toBe(before.docs);
    const call = gateway.repo.bodies.slice(repoBodies).map((body) => JSON.parse(body) as { method: string; params?: { name?: string } }).find((body) => body.method === "tools/call");
    expect(call?.params?.name).toBe("delete_repo");
    expect((await client.callTool({ name: "docs__search_docs", arguments: { query: "q" } })).content).toEqual([{ type: "text", text: "search_docs ran" }]);
    expect(gateway.docs.calls.get("search_docs")).toBe(before.docsSearch + 1);
    // Every request either server ever got carried its own token: never the other's, never a client's.
    expect(new Set(gateway.repo.authorizations)).toEqual(new Set([`Bearer ${gateway.repoToken}`]));
    expect(new Set(gateway.docs.authorizations)).toEqual(new Set([`Bearer ${gateway.docsToken}`]));
    await client.close();
  });

  it("refuses a prefixed tool the caller may not use in Envoy: a JSON-RPC error, and no server sees the call", async () => {
    const { client } = await connect(reader());
    const before = { repo: gateway.repo.bodies.length, docs: gateway.docs.bodies.length };
    for (const name of ["repo__delete_repo", "docs__delete_repo", "docs__secret_tool"]) {
      expect((await mcpRefusal(client.callTool({ name, arguments: {} }))).message).toContain(`Tool ${name} is not available to this caller`);
    }
    // A name its rule admits but no server's prefix: Envoy's router has nowhere to send it.
    await expect(client.callTool({ name: "nosuch__search_docs", arguments: {} })).rejects.toThrow(/400|nosuch/);
    const calls = (bodies: string[]) => bodies.filter((body) => body.includes('"tools/call"'));
    expect(calls(gateway.repo.bodies.slice(before.repo))).toEqual([]);
    expect(calls(gateway.docs.bodies.slice(before.docs))).toEqual([]);
    await client.close();
  });

  it("binds a session to the caller that opened it: another caller, or a rewritten session id, is refused before any server", async () => {
    const { client, transport } = await connect(admin());
    const session = transport.sessionId!;
    expect(session).toBeTruthy();
    const before = { repo: gateway.repo.bodies.length, docs: gateway.docs.bodies.length };
    const hijack = await rpc(gateway.token({ sub: "mallory", roles: ["admin"] }), session, { id: 7, method: "tools/call", params: { name: "docs__search_docs", arguments: {} } });
    expect(hijack.status).toBe(404);
    // Envoy's session ids are readable text; one rewritten to name another subject was never issued.
    const forged = Buffer.from(Buffer.from(session, "base64").toString("utf8").replace(/@[^@]*@/, `@${Buffer.from("mallory").toString("base64")}@`)).toString("base64");
    expect(forged).not.toBe(session);
    expect((await rpc(gateway.token({ sub: "mallory", roles: ["admin"] }), forged, { id: 8, method: "tools/list" })).status).toBe(404);
    expect(gateway.repo.bodies.length).toBe(before.repo);
    expect(gateway.docs.bodies.length).toBe(before.docs);
    // The owner's session still works.
    expect((await rpc(admin(), session, { id: 9, method: "tools/call", params: { name: "docs__search_docs", arguments: {} } })).status).toBe(200);
    // The path with a query is the same endpoint (its route matches it): the router answers there too.
    const withQuery = await rpc(admin(), session, { id: 10, method: "tools/list" }, `${gateway.url}?via=query`);
    expect(await withQuery.text()).toContain('"name":"repo__delete_repo"');
    await client.close();
  });

  it("audits each call with the prefixed tool and the server it went to", async () => {
    const { client } = await connect(admin());
    await client.callTool({ name: "repo__search_code", arguments: { query: "x" } });
    await client.callTool({ name: "docs__read_file", arguments: {} }).catch(() => undefined);
    await client.close();
    await vi.waitFor(() => expect(gateway.audit.some((entry) => entry.tool === "docs__read_file")).toBe(true));
    expect(gateway.audit.find((entry) => entry.tool === "repo__search_code")).toMatchObject({ api: "all", server: "repo-server", subject: "ada", decision: "allowed", status: 200 });
    expect(gateway.audit.find((entry) => entry.tool === "docs__read_file")).toMatchObject({ api: "all", server: "docs-server", decision: "refused", reason: "no tool rule admits the caller" });
  });
});
