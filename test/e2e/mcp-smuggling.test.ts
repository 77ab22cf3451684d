/**
 * MCP message smuggling through real Envoy: every shape that could make the gateway decide on one
 * tool while the server runs another is refused before the server sees anything. The caller may
 * use search_docs but not delete_repo. Which part refuses is asserted too: Envoy's mcp filter
 * (duplicate keys, escapes, batches, body size, 2026-07-28 header/body mismatch, non-MCP bodies),
 * its tool rules (an escaped name is read as what it says), or the MCP processor where Envoy lets a
 * shape through (case-variant and compatibility-form keys beside the real one — GHSA-4gph-2hhr-5mwg —
 * repeated Mcp-Name headers, invalid UTF-8).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAllEnvoys } from "../support/envoy.ts";
import { type McpGatewayUnderTest, startMcpGateway } from "../mcp/mcp-gateway.ts";

let gateway: McpGatewayUnderTest;
let token = "";

beforeAll(async () => {
  gateway = await startMcpGateway();
  token = gateway.token({ sub: "rex", scope: "files:read" });
});

afterAll(async () => {
  await gateway?.stop();
  await stopAllEnvoys();
});

interface Answer {
  readonly status: number;
  readonly body: string;
  /** Whether anything reached the MCP server. */
  readonly reached: boolean;
}

/** One POST with the raw body and headers (a header given as a list is sent as that many lines). */
function post(body: string | Buffer, headers: Record<string, string | string[]> = {}): Promise<Answer> {
  const before = gateway.server.bodies.length;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: gateway.port,
        path: "/mcp/tools",
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, reached: gateway.server.bodies.length > before }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const call = (params: string) => `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":${params}}`;
/** The processor's refusal (JSON-RPC -32600 with HTTP 400), not Envoy's. */
const refusedByProcessor = (answer: Answer) => answer.status === 400 && answer.body.includes("Refused by the gateway") && JSON.parse(answer.body).error.code === -32600;

describe("control", () => {
  it("lets a well-formed call of an allowed tool through", async () => {
    const answer = await post(call('{"name":"search_docs","arguments":{}}'));
    expect(answer.status).toBe(200);
    expect(answer.reached).toBe(true);
    expect(answer.body).toContain("search_docs ran");
  });

  it("refuses the denied tool sent plainly", async () => {
    const answer = await post(call('{"name":"delete_repo","arguments":{}}'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32602 } });
    expect(answer.reached).toBe(false);
  });
});

describe("duplicate keys (Envoy's mcp filter, reject_duplicate_keys)", () => {
  it.each([
    ["method twice", '{"jsonrpc":"2.0","id":7,"method":"tools/list","method":"tools/call","params":{"name":"delete_repo"}}'],
    ["params.name twice", call('{"name":"search_docs","name":"delete_repo"}')],
    ["params twice", '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_docs"},"params":{"name":"delete_repo"}}'],
    ["an escaped duplicate of name", call('{"name":"search_docs","na\\u006de":"delete_repo"}')],
    ["an escaped duplicate of method", '{"jsonrpc":"2.0","id":7,"method":"tools/list","m\\u0065thod":"tools/call","params":{"name":"delete_repo"}}'],
  ])("refuses %s", async (_shape, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("duplicate JSON keys");
    expect(answer.reached).toBe(false);
  });
});

describe("escaped names (read as what they say, then decided)", () => {
  it.each([
    ["an escaped key", call('{"na\\u006de":"delete_repo"}')],
    ["an escaped value", call('{"name":"delete\\u005frepo"}')],
  ])("refuses the denied tool behind %s with a JSON-RPC error", async (_shape, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ id: 7, error: { code: -32602, message: "Tool delete_repo is not available to this caller." } });
    expect(answer.reached).toBe(false);
  });
});

describe("case variants and compatibility forms (the MCP processor: Envoy reads only the exact key)", () => {
  it.each([
    ["params.Name beside params.name (GHSA-4gph-2hhr-5mwg)", call('{"name":"search_docs","Name":"delete_repo"}')],
    ["params.NAME beside params.name", call('{"name":"search_docs","NAME":"delete_repo"}')],
    ["Method beside method", '{"jsonrpc":"2.0","id":7,"method":"tools/call","Method":"tools/list","params":{"name":"search_docs"}}'],
    ["Params beside params", '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_docs"},"Params":{"name":"delete_repo"}}'],
    ["paramſ (long s, folded to params by Unicode-aware decoders) beside params", '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_docs"},"param\u017f":{"name":"delete_repo"}}'],
    ["an escaped Name beside name", call('{"name":"search_docs","\\u004eame":"delete_repo"}')],
  ])("refuses %s", async (_shape, body) => {
    const answer = await post(body);
    expect(refusedByProcessor(answer)).toBe(true);
    expect(answer.reached).toBe(false);
  });
});

describe("batches, sizes and bodies that are not MCP", () => {
  it("refuses a JSON-RPC batch", async () => {
    const answer = await post(`[${call('{"name":"search_docs"}')},${call('{"name":"delete_repo"}')}]`);
    expect(answer.status).toBe(400);
    expect(answer.reached).toBe(false);
  });

  it("refuses a body over the API's limit (64 KiB by default)", async () => {
    const answer = await post(call(`{"name":"search_docs","arguments":{"padding":"${"x".repeat(70_000)}"}}`));
    expect(answer.status).toBe(400);
    expect(answer.reached).toBe(false);
  });

  it.each([
    ["text", "hello", "text/plain"],
    ["JSON that is not JSON-RPC", '{"hello":"world"}', "application/json"],
    ["invalid JSON", '{"jsonrpc":"2.0","method":', "application/json"],
  ])("refuses %s on the MCP endpoint", async (_shape, body, contentType) => {
    const answer = await post(body, { "content-type": contentType });
    expect(answer.status).toBe(400);
    expect(answer.reached).toBe(false);
  });

  it("refuses a body that is not UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from(call('{"name":"search_docs","arguments":{"q":"')), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const answer = await post(bytes);
    expect(answer.status).toBe(400);
    expect(answer.reached).toBe(false);
  });
});

describe("2026-07-28 Mcp-Method and Mcp-Name headers", () => {
  const meta = '"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}';
  const headers = (name: string | string[]) => ({ "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name });

  it("refuses a header that names another tool than the body", async () => {
    const answer = await post(call(`{"name":"delete_repo","arguments":{},${meta}}`), headers("search_docs"));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: -32020 } });
    expect(answer.reached).toBe(false);
  });

  it("refuses a second Mcp-Name line that disagrees with the body (Envoy checks the first)", async () => {
    const answer = await post(call(`{"name":"search_docs","arguments":{},${meta}}`), headers(["search_docs", "delete_repo"]));
    expect(refusedByProcessor(answer)).toBe(true);
    expect(answer.reached).toBe(false);
  });

  it("lets matching headers through", async () => {
    const answer = await post(call(`{"name":"search_docs","arguments":{},${meta}}`), headers("search_docs"));
    expect(answer.reached).toBe(true);
  });
});
