/**
 * The MCP processor's pure parts: the strict JSON reader agrees with JSON.parse on every value it
 * accepts and refuses what parsers disagree on; request checks; tools/list filtering (JSON and
 * server-sent events) with caching hints made private; tool patterns as Envoy's RBAC reads them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readMcpRequest } from "../../src/mcp/message.ts";
import { parseStrictJson, StrictJsonError } from "../../src/mcp/strict-json.ts";
import { patternMatches } from "../../src/mcp/tool-access.ts";
import { filterListAnswer, TOOLS_LIST } from "../../src/mcp/tools-list.ts";
import { McpSessions } from "../../src/mcp/sessions.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("parseStrictJson", () => {
  it("reads every JSON value as JSON.parse does", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it.each([
    ['{"a":1,"a":2}', "duplicate key"],
    ['{"name":1,"na\\u006de":2}', "duplicate key"],
    ['{"a":1} x', "after the JSON value"],
    ['{"a":"\u0001"}', "invalid string"],
    ['{"a":01}', "expected ','"],
    [`${"[".repeat(70)}${"]".repeat(70)}`, "nesting"],
  ])("refuses %s", (text, why) => {
    expect(() => parseStrictJson(text)).toThrow(StrictJsonError);
    expect(() => parseStrictJson(text)).toThrow(why);
  });

  it("keeps __proto__ as a plain key", () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("readMcpRequest", () => {
  const none = new Map<string, string[]>();
  it("reads the method and tool name", () => {
    expect(readMcpRequest(bytes('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"Name":"x","NAME":"y"}}}'), none)).toEqual({ method: "tools/call", name: "t", arguments: { Name: "x", NAME: "y" } });
  });
  it.each([
    ['{"method":"tools/call","params":{"name":"a","Name":"b"}}', "differ only in case"],
    ['{"method":"tools/call","params":{"Name":"b"}}', 'not "name"'],
    ['{"method":"tools/call","param\u017f":{}}', 'not "params"'],
    ['[{"method":"tools/list"}]', "batches"],
    ['"tools/list"', "not a JSON-RPC message object"],
    ['{"method":7}', "not a string"],
  ])("refuses %s", (body, why) => {
    const read = readMcpRequest(bytes(body), none);
    expect("refused" in read && read.refused).toContain(why);
  });
  it("refuses an Mcp-Name header any of whose lines differs from the body", () => {
    const body = bytes('{"method":"tools/call","params":{"name":"a"}}');
    expect(readMcpRequest(body, new Map([["mcp-name", ["a"]]]))).toEqual({ method: "tools/call", name: "a" });
    expect(readMcpRequest(body, new Map([["mcp-name", ["a", "b"]]]))).toEqual({ refused: "the mcp-name header does not match the body" });
  });
});

describe("filterListAnswer", () => {
  const list = { jsonrpc: "2.0", id: 3, result: { tools: [{ name: "keep" }, { name: "drop" }], cacheScope: "public", ttlMs: 60000 } };
  const allowed = (tool: string) => tool === "keep";
  it("filters a JSON answer and makes its caching hints private", () => {
    expect(JSON.parse(filterListAnswer(JSON.stringify(list), "application/json", TOOLS_LIST, allowed))).toEqual({ ...list, result: { tools: [{ name: "keep" }], cacheScope: "private", ttlMs: 60000 } });
  });
  it("filters each event of an event stream, keeping other fields", () => {
    const stream = `id: 1\nevent: message\ndata: ${JSON.stringify(list)}\n\n`;
    const out = filterListAnswer(stream, "text/event-stream", TOOLS_LIST, allowed);
    expect(out.startsWith("id: 1\nevent: message\ndata: ")).toBe(true);
    expect(JSON.parse(out.split("data: ")[1]!.trim()).result.tools).toEqual([{ name: "keep" }]);
  });
  it("replaces an answer it cannot read by an error, never passing it on", () => {
    expect(JSON.parse(filterListAnswer("{not json", "application/json", TOOLS_LIST, allowed))).toMatchObject({ error: { code: -32603 } });
  });
  it("puts back the empty objects Envoy's mcp_router writes as null in tool schemas, and nothing else", () => {
    const nulled = { name: "keep", annotations: null, inputSchema: { type: "object", properties: null }, outputSchema: { type: "object", properties: { a: null, b: { type: "object", properties: null }, c: { default: null } } } };
    const out = JSON.parse(filterListAnswer(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [nulled] } }), "application/json", TOOLS_LIST, allowed));
    expect(out.result.tools).toEqual([
      { name: "keep", annotations: null, inputSchema: { type: "object", properties: {} }, outputSchema: { type: "object", properties: { a: {}, b: { type: "object", properties: {} }, c: { default: null } } } },
    ]);
  });
});

describe("McpSessions", () => {
  const ada = { identity: "sso", subject: "ada", scopes: [], roles: [], groups: [] };
  const eve = { ...ada, subject: "eve" };
  it("keeps a session to its owner; one never issued is anyone's, unless only issued sessions count (federated endpoints)", () => {
    const sessions = new McpSessions();
    sessions.bind("s1", ada);
    expect([sessions.mayUse("s1", ada, true), sessions.mayUse("s1", eve), sessions.mayUse("s1", eve, true)]).toEqual([true, false, false]);
    expect([sessions.mayUse("forged", eve), sessions.mayUse("forged", eve, true)]).toEqual([true, false]);
  });
});

describe("patternMatches", () => {
  it.each([
    ["search_*", "search_docs", true],
    ["search_*", "research_docs", false],
    ["*_admin", "repo_admin", true],
    ["a.b", "axb", false],
    ["exact", "exact", true],
    ["exact", "exact2", false],
  ])("%s against %s: %s", (pattern, tool, expected) => expect(patternMatches(pattern, tool)).toBe(expected));
});
