/**
 * The MCP gateway through real Envoy, with the official MCP SDK on both sides: a client calls a
 * real Streamable HTTP server through the gateway with a JWT minted here. Allowed tools run,
 * refused ones come back as JSON-RPC errors and never reach the server (it counts calls), each
 * caller's tools/list holds only its tools (server-sent events and JSON answers), the server gets
 * the gateway's credential and never the client's token, and a client without a token is sent to
 * the protected-resource metadata that Envoy serves. Each call that reaches the processor is audited.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCommand } from "../support/cli-process.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { connectClient as connect, ISSUER, type McpGatewayUnderTest, mcpRefusal, startMcpGateway } from "../mcp/mcp-gateway.ts";

let gateway: McpGatewayUnderTest;

beforeAll(async () => {
  gateway = await startMcpGateway();
});

afterAll(async () => {
  await gateway?.stop();
  await stopAllEnvoys();
});

const admin = () => gateway.token({ sub: "ada", roles: ["admin"] });
const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();

describe.each([
  ["server-sent events", () => gateway.url, (claims: Record<string, unknown>) => gateway.token(claims)],
  ["JSON answers", () => gateway.jsonUrl, (claims: Record<string, unknown>) => gateway.token(claims, gateway.jsonUrl)],
])("the official SDK client through the gateway (%s)", (_kind, url, token) => {
  it("lists to each caller only the tools its rules allow", async () => {
    const adminClient = await connect(url(), token({ sub: "ada", roles: ["admin"] }));
    const readerClient = await connect(url(), token({ sub: "rex", scope: "files:read" }));
    expect(await toolNames(adminClient)).toEqual(["delete_repo", "search_code", "search_docs"]);
    expect(await toolNames(readerClient)).toEqual(["read_file", "search_code", "search_docs"]);
    await adminClient.close();
    await readerClient.close();
  });

  it("runs an allowed tool", async () => {
    const client = await connect(url(), token({ sub: "ada", roles: ["admin"] }));
    const before = gateway.server.calls.get("delete_repo") ?? 0;
    const result = await client.callTool({ name: "delete_repo", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "delete_repo ran" }]);
    expect(gateway.server.calls.get("delete_repo")).toBe(before + 1);
    await client.close();
  });

  it("refuses a tool the caller may not use with a JSON-RPC error, and the server never sees the call", async () => {
    const client = await connect(url(), token({ sub: "rex", scope: "files:read" }));
    const before = { delete: gateway.server.calls.get("delete_repo") ?? 0, secret: gateway.server.calls.get("secret_tool") ?? 0 };
    for (const name of ["delete_repo", "secret_tool"]) {
      const error = await mcpRefusal(client.callTool({ name, arguments: {} }));
      expect(error.code).toBe(-32602);
      expect(error.message).toContain(`Tool ${name} is not available to this caller`);
    }
    expect(gateway.server.calls.get("delete_repo") ?? 0).toBe(before.delete);
    expect(gateway.server.calls.get("secret_tool") ?? 0).toBe(before.secret);
    // The session stays usable after a refusal.
    expect((await client.callTool({ name: "read_file", arguments: {} })).content).toEqual([{ type: "text", text: "read_file ran" }]);
    await client.close();
  });
});

describe("credentials", () => {
  it("gives the server the gateway's token, never the client's", async () => {
    const clientToken = admin();
    const client = await connect(gateway.url, clientToken);
    const seen = gateway.server.authorizations.length;
    await client.callTool({ name: "search_docs", arguments: {} });
    const sent = gateway.server.authorizations.slice(seen);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${gateway.serverToken}`]));
    await client.close();
    // The server without a bearerToken gets no Authorization at all.
    const jsonClient = await connect(gateway.jsonUrl, gateway.token({ roles: ["admin"] }, gateway.jsonUrl));
    const jsonSeen = gateway.server.authorizations.length;
    await jsonClient.listTools();
    expect(new Set(gateway.server.authorizations.slice(jsonSeen))).toEqual(new Set([""]));
    await jsonClient.close();
  });

  it("refuses a token issued for another resource", async () => {
    const otherAudience = gateway.token({ roles: ["admin"] }, gateway.jsonUrl);
    const answer = await fetch(gateway.url, {
      method: "POST",
      headers: { authorization: `Bearer ${otherAudience}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(answer.status).toBe(403);
  });
});

describe("OAuth discovery (MCP authorization, RFC 9728)", () => {
  it("answers a request without a token 401 naming the protected-resource metadata, which Envoy serves", async () => {
    const answer = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }),
    });
    expect(answer.status).toBe(401);
    const challenge = answer.headers.get("www-authenticate") ?? "";
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`http://127.0.0.1:${gateway.port}/.well-known/oauth-protected-resource/mcp/tools`);
    const metadata = await fetch(metadataUrl!);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get("content-type")).toBe("application/json");
    expect(await metadata.json()).toEqual({
      resource: gateway.url,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ["header"],
      scopes_supported: ["files:read"],
      resource_name: "tools",
    });
  });

  it("lets the SDK client see the 401 as an authorization failure", async () => {
    const client = new Client({ name: "gateway-test", version: "1.0.0" });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)))).rejects.toThrow(/401|nauthorized/);
  });
});

describe("audit", () => {
  it("records each tool call with the caller, the tool, a hash of its arguments (never them), the decision and the status", async () => {
    const client = await connect(gateway.url, admin());
    await client.callTool({ name: "search_docs", arguments: { query: "the secret plans" } });
    const record = await vi.waitFor(() => {
      const found = gateway.audit.find((entry) => entry.tool === "search_docs" && entry.subject === "ada");
      if (!found) throw new Error("not recorded yet");
      return found;
    });
    expect(record).toMatchObject({ gateway: "mcp-e2e", identity: "sso", api: "tools", server: "tools", decision: "allowed", status: 200 });
    expect(record.argumentsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(gateway.audit)).not.toContain("secret plans");
    await client.close();
  });

  it("portcullis audit mcp lists the call from the usage database, by identity, tool and time, as JSON, CSV or a table", async () => {
    const client = await connect(gateway.url, gateway.token({ sub: "grace", roles: ["admin"] }));
    await client.callTool({ name: "delete_repo", arguments: { repo: "plans" } });
    await client.close();
    const portcullis = (...args: string[]) => runCommand("node_modules/.bin/node", ["src/cli/main.ts", "audit", "mcp", "--db", gateway.usageDb, ...args], { cwd: process.cwd(), timeoutMs: 60_000 });
    const listed = await vi.waitFor(async () => {
      const json = await portcullis("--identity", "grace", "--tool", "delete_repo", "--since", "1h", "--format", "json");
      expect(json.stderr).toBe("");
      const records = JSON.parse(json.stdout) as Record<string, unknown>[];
      if (records.length === 0) throw new Error("not written yet");
      return records;
    }, { timeout: 30_000, interval: 200 });
    expect(listed).toMatchObject([{ gateway: "mcp-e2e", identity: "sso", subject: "grace", api: "tools", server: "tools", tool: "delete_repo", decision: "allowed", status: 200 }]);
    expect(listed[0]!["argumentsSha256"]).toMatch(/^[0-9a-f]{64}$/);
    // Filters hold: another tool, another gateway, a time after the call.
    expect(JSON.parse((await portcullis("--identity", "grace", "--tool", "search_docs", "--format", "json")).stdout)).toEqual([]);
    expect(JSON.parse((await portcullis("--identity", "grace", "--gateway", "other", "--format", "json")).stdout)).toEqual([]);
    expect(JSON.parse((await portcullis("--identity", "grace", "--since", new Date(Date.now() + 60_000).toISOString(), "--format", "json")).stdout)).toEqual([]);
    const csv = (await portcullis("--identity", "grace", "--format", "csv")).stdout.trim().split("\n");
    expect(csv[0]).toBe("time,gateway,request_id,identity,subject,consumer,api,server,tool,arguments_sha256,decision,reason,status,duration_ms");
    expect(csv.slice(1)).toEqual([expect.stringMatching(/,mcp-e2e,.*,sso,grace,,tools,tools,delete_repo,[0-9a-f]{64},allowed,,200,\d+$/)]);
    const table = (await portcullis("--tool", "delete_repo", "--identity", "grace")).stdout.trim().split("\n");
    expect(table[0]).toMatch(/^time +gateway +api +server +tool +decision +reason +status +identity +subject +consumer +durationMs$/);
    expect(table).toHaveLength(2);
    const wrong = await portcullis("--status", "4xx");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("audit mcp takes --identity, --tool");
  });

  it("records a call the tool rules refuse (Envoy's decision, which the processor hears), and the server never sees it", async () => {
    const client = await connect(gateway.url, gateway.token({ sub: "rex", scope: "files:read" }));
    const before = gateway.server.calls.get("delete_repo") ?? 0;
    await expect(client.callTool({ name: "delete_repo", arguments: { repo: "all" } })).rejects.toMatchObject({ code: -32602 });
    const record = await vi.waitFor(() => {
      const found = gateway.audit.find((entry) => entry.subject === "rex" && entry.tool === "delete_repo");
      if (!found) throw new Error("not recorded yet");
      return found;
    });
    expect(record).toMatchObject({ identity: "sso", api: "tools", decision: "refused", reason: "no tool rule admits the caller", status: 200 });
    expect(record.argumentsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(gateway.server.calls.get("delete_repo") ?? 0).toBe(before);
    await client.close();
  });

  it("records a call the processor refuses, with the reason", async () => {
    const answer = await fetch(gateway.url, {
      method: "POST",
      headers: { authorization: `Bearer ${admin()}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"search_code","Name":"delete_repo"}}',
    });
    expect(answer.status).toBe(400);
    const record = await vi.waitFor(() => {
      const found = gateway.audit.find((entry) => entry.decision === "refused" && entry.status === 400);
      if (!found) throw new Error("not recorded yet");
      return found;
    });
    expect(record).toMatchObject({ tool: "search_code", status: 400, reason: 'keys "name" and "Name" differ only in case' });
  });
});

describe.each(["2025-03-26", "2025-06-18"])("protocol revision %s (raw requests; the SDK client always asks for its latest)", (revision) => {
  const rpc = async (body: object, token: string) => {
    const answer = await fetch(gateway.jsonUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": revision },
      body: JSON.stringify(body),
    });
    return { status: answer.status, body: (await answer.json()) as { result?: Record<string, unknown>; error?: { code: number } } };
  };
  const token = () => gateway.token({ sub: "rex", scope: "files:read" }, gateway.jsonUrl);

  it("initializes, lists the caller's tools and refuses a denied call", async () => {
    const init = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: revision, capabilities: {}, clientInfo: { name: "raw", version: "1" } } }, token());
    expect(init.body.result?.["protocolVersion"]).toBe(revision);
    const list = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" }, token());
    expect(((list.body.result?.["tools"] ?? []) as { name: string }[]).map((tool) => tool.name).sort()).toEqual(["read_file", "search_code", "search_docs"]);
    const before = gateway.server.calls.get("delete_repo") ?? 0;
    const denied = await rpc({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "delete_repo", arguments: {} } }, token());
    expect(denied).toMatchObject({ status: 200, body: { error: { code: -32602 } } });
    expect(gateway.server.calls.get("delete_repo") ?? 0).toBe(before);
  });
});

describe("sessions", () => {
  it("binds a session to the caller that opened it: another caller presenting its id is refused before the server", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(gateway.statefulUrl), { requestInit: { headers: { authorization: `Bearer ${gateway.token({ sub: "ada", roles: ["admin"] }, gateway.statefulUrl)}` } } });
    const owner = new Client({ name: "owner", version: "1.0.0" });
    await owner.connect(transport);
    const session = transport.sessionId!;
    expect(session).toBeTruthy();
    const calls = gateway.server.calls.get("delete_repo") ?? 0;
    const hijack = await fetch(gateway.statefulUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${gateway.token({ sub: "mallory", roles: ["admin"] }, gateway.statefulUrl)}`,
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-11-25",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 4242, method: "tools/call", params: { name: "delete_repo", arguments: {} } }),
    });
    expect(hijack.status).toBe(404);
    // The gateway's answer (the server would have taken the id from anyone).
    expect(await hijack.json()).toMatchObject({ error: { code: -32600, message: "Session not found." } });
    expect(gateway.server.calls.get("delete_repo") ?? 0).toBe(calls);
    expect(gateway.server.bodies.some((body) => body.includes('"id":4242'))).toBe(false);
    // The owner's session still works.
    expect((await owner.callTool({ name: "delete_repo", arguments: {} })).content).toEqual([{ type: "text", text: "delete_repo ran" }]);
    await owner.close();
  });
});

describe("tool rules by API-key consumer", () => {
  const connectWithKey = async (key: string) => {
    const client = new Client({ name: "partner", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.jsonUrl), { requestInit: { headers: { "x-api-key": key } } }));
    return client;
  };

  it("lists and runs export_data for acme only", async () => {
    const acme = await connectWithKey(gateway.apiKeys.acme);
    const globex = await connectWithKey(gateway.apiKeys.globex);
    expect(await toolNames(acme)).toEqual(["export_data", "search_code", "search_docs"]);
    expect(await toolNames(globex)).toEqual(["search_code", "search_docs"]);
    const before = gateway.server.calls.get("export_data") ?? 0;
    await expect(globex.callTool({ name: "export_data", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    expect(gateway.server.calls.get("export_data") ?? 0).toBe(before);
    expect((await acme.callTool({ name: "export_data", arguments: {} })).content).toEqual([{ type: "text", text: "export_data ran" }]);
    expect(gateway.server.calls.get("export_data")).toBe(before + 1);
    await acme.close();
    await globex.close();
  });
});
