/**
 * A real MCP server for tests, built with the official SDK over Streamable HTTP on 127.0.0.1.
 * `/mcp` (server-sent events) and `/mcp-json` (plain JSON) are stateless: a server and transport
 * per request; `/mcp-stateful` issues session ids and keeps a transport per session. It counts
 * calls per tool and keeps what each request's Authorization said.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

export const TOOL_NAMES = ["search_docs", "search_code", "delete_repo", "read_file", "export_data", "secret_tool"] as const;
export const PROMPT_NAMES = ["greeting", "admin_report"] as const;
export const RESOURCE_URIS = ["docs://public/readme", "docs://internal/salaries"] as const;

export interface ToolServer {
  readonly port: number;
  /** Calls that reached the server, per tool (and `prompt:<name>`, `resource:<uri>` for prompts got and resources read). */
  readonly calls: Map<string, number>;
  /** The Authorization header of every request that reached the server (or "" without one). */
  readonly authorizations: string[];
  /** Raw request bodies that reached the server. */
  readonly bodies: string[];
  close(): Promise<void>;
}

function toolServer(calls: Map<string, number>): McpServer {
  const server = new McpServer({ name: "test-tools", version: "1.0.0" });
  for (const name of TOOL_NAMES) {
    server.registerTool(name, { description: `The ${name} tool.` }, async () => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return { content: [{ type: "text", text: `${name} ran` }] };
    });
  }
  for (const name of PROMPT_NAMES) {
    server.registerPrompt(name, { description: `The ${name} prompt.` }, () => {
      calls.set(`prompt:${name}`, (calls.get(`prompt:${name}`) ?? 0) + 1);
      return { messages: [{ role: "user", content: { type: "text", text: `${name} text` } }] };
    });
  }
  for (const uri of RESOURCE_URIS) {
    server.registerResource(uri.split("/").at(-1)!, uri, { mimeType: "text/plain" }, () => {
      calls.set(`resource:${uri}`, (calls.get(`resource:${uri}`) ?? 0) + 1);
      return { contents: [{ uri, text: `${uri} contents` }] };
    });
  }
  server.registerResource("internal-page", new ResourceTemplate("docs://internal/pages/{page}", { list: undefined }), {}, (uri) => ({ contents: [{ uri: uri.href, text: "page" }] }));
  server.registerResource("public-page", new ResourceTemplate("docs://public/pages/{page}", { list: undefined }), {}, (uri) => ({ contents: [{ uri: uri.href, text: "page" }] }));
  return server;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

export async function startToolServer(): Promise<ToolServer> {
  const calls = new Map<string, number>();
  const authorizations: string[] = [];
  const bodies: string[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer(async (request, response) => {
    authorizations.push(request.headers.authorization ?? "");
    const body = await readBody(request);
    bodies.push(body);
    const path = (request.url ?? "").split("?")[0];
    let parsed: unknown;
    try {
      parsed = body === "" ? undefined : JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (path === "/mcp-stateful") {
      const session = request.headers["mcp-session-id"];
      let transport = typeof session === "string" ? sessions.get(session) : undefined;
      if (!transport && session !== undefined) {
        response.writeHead(404).end();
        return;
      }
      if (!transport) {
        const created = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, enableJsonResponse: true, onsessioninitialized: (id) => void sessions.set(id, created) });
        await toolServer(calls).connect(created);
        transport = created;
      }
      await transport.handleRequest(request, response, parsed);
      return;
    }
    if (path !== "/mcp" && path !== "/mcp-json") {
      response.writeHead(404).end();
      return;
    }
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: path === "/mcp-json" });
    const server = toolServer(calls);
    response.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, parsed);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    calls,
    authorizations,
    bodies,
    close: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
