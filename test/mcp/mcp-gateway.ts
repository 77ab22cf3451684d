/**
 * A whole MCP gateway for end-to-end tests: a real MCP server (tool-server.ts), the processor in
 * this process, and a real Envoy on the compiled config, all on 127.0.0.1. Callers are JWTs of one
 * identity, minted here; the tool rules tell them apart by role and scope.
 */
import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig, McpPromptRule, McpResourceRule, McpToolRule } from "../../src/config/types.ts";
import type { McpAuditRecord } from "../../src/mcp/audit.ts";
import { McpAuditStore } from "../../src/mcp/audit-store.ts";
import { startMcpProcessor } from "./mcp-processor.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import type { RunningEnvoy } from "../support/envoy.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { freePorts } from "../support/ports.ts";
import { startToolServer, type ToolServer } from "./tool-server.ts";

export const ISSUER = "https://sso.test/";

/** search_* for everyone, delete_repo for admins, read_file with the files:read scope, export_data for the API-key consumer acme; secret_tool for nobody. */
export const TOOL_RULES: McpToolRule[] = [
  { tool: "search_*", access: { public: { reason: "read-only search is open to every caller of the API" } } },
  { tool: "delete_repo", access: { allow: [{ identity: "sso", roles: ["admin"] }] } },
  { tool: "read_file", access: { allow: [{ identity: "sso", scopes: ["files:read"] }] } },
  { tool: "export_data", access: { allow: [{ identity: "partners", consumers: ["acme"] }] } },
];

/** Admin reports for admins, every other prompt for every caller. */
export const PROMPT_RULES: McpPromptRule[] = [
  { prompt: "admin_*", access: { allow: [{ identity: "sso", roles: ["admin"] }] } },
  { prompt: "*", access: { public: { reason: "prompts other than reports are open to every caller of the API" } } },
];

/** Public documents for every caller, internal ones for admins. */
export const RESOURCE_RULES: McpResourceRule[] = [
  { uri: "docs://public/*", access: { public: { reason: "public documents" } } },
  { uri: "docs://internal/*", access: { allow: [{ identity: "sso", roles: ["admin"] }] } },
];

export interface McpGatewayUnderTest {
  readonly port: number;
  /** `http://127.0.0.1:<port>/mcp/tools` (events) and `/mcp/tools-json` (JSON answers), both stateless. */
  readonly url: string;
  readonly jsonUrl: string;
  /** `/mcp/tools-stateful`: the server issues session ids. */
  readonly statefulUrl: string;
  readonly server: ToolServer;
  readonly envoy: RunningEnvoy;
  readonly serverToken: string;
  /** API keys of the consumers acme and globex (identity partners, x-api-key), taken at /mcp/tools-json. */
  readonly apiKeys: { readonly acme: string; readonly globex: string };
  /** The processor's audit records of tool calls, in the order they ended. */
  readonly audit: McpAuditRecord[];
  /** The usage database the same records are written to, as `serve` writes them (what `portcullis audit mcp` reads). */
  readonly usageDb: string;
  /** A valid token for the endpoint (`url` or `jsonUrl`) with these claims on top. */
  token(claims?: Record<string, unknown>, resource?: string): string;
  stop(): Promise<void>;
}

export async function startMcpGateway(options: { maxRequestBytes?: number } = {}): Promise<McpGatewayUnderTest> {
  const server = await startToolServer();
  const [listener, processorPort] = await freePorts(2);
  const dir = mkdtempSync(join(tmpdir(), "portcullis-mcp-"));
  const usageDb = join(dir, "usage.db");
  const store = new McpAuditStore(usageDb);
  const { processor, gateways: mcpGateways, audit } = await startMcpProcessor(processorPort!, (entry) => store.record(entry));
  const signing = rsaSigningKey("k1");
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  const base = `http://127.0.0.1:${listener}`;
  const serverToken = `srv-${randomBytes(18).toString("base64url")}`;
  const apiKeys = { acme: `acme-${randomBytes(18).toString("base64url")}`, globex: `globex-${randomBytes(18).toString("base64url")}` };
  const plaintext = { reason: "test MCP server on the loopback interface" };
  const api = (name: string, server: string, partners = false) => ({
    name,
    path: `/mcp/${name}`,
    server,
    resource: `${base}/mcp/${name}`,
    access: { allow: [{ identity: "sso" }, ...(partners ? [{ identity: "partners" }] : [])] },
    tools: TOOL_RULES,
    prompts: PROMPT_RULES,
    resources: RESOURCE_RULES,
    ...(options.maxRequestBytes ? { maxRequestBytes: options.maxRequestBytes } : {}),
  });
  const config: GatewayConfig = {
    gateway: { name: "mcp-e2e", listeners: [{ name: "web", address: "127.0.0.1", port: listener!, hostnames: ["*"] }] },
    identities: {
      sso: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, claims: { roles: "roles" } },
      partners: { type: "apiKey", consumers: [{ name: "acme", keys: { env: "ACME_KEY" } }, { name: "globex", keys: { env: "GLOBEX_KEY" } }] },
    },
    providers: {
      tools: { type: "mcp", url: `http://127.0.0.1:${server.port}/mcp`, plaintext, bearerToken: { env: "MCP_SERVER_TOKEN" } },
      "tools-json": { type: "mcp", url: `http://127.0.0.1:${server.port}/mcp-json`, plaintext },
      "tools-stateful": { type: "mcp", url: `http://127.0.0.1:${server.port}/mcp-stateful`, plaintext },
    },
    // The MCP processor is the AI processor: ai.processor places it (no model is served here).
    ai: { access: { allow: [{ identity: "sso" }] }, models: {}, processor: { address: `127.0.0.1:${processor.port}` } },
    // The JSON endpoint also takes API keys (tokens are then optional there, so only /mcp/tools answers 401).
    mcp: [api("tools", "tools"), api("tools-json", "tools-json", true), api("tools-stateful", "tools-stateful")],
  };
  const file = join(dir, "gateway.config.ts");
  const { envoy, ir } = await startCompiledEnvoy(config, { file, env: { MCP_SERVER_TOKEN: serverToken, ACME_KEY: apiKeys.acme, GLOBEX_KEY: apiKeys.globex } });
  // The processor learns the gateway the way serve does: from the compiled IR.
  mcpGateways.apply(ir);
  return {
    port: listener!,
    url: `${base}/mcp/tools`,
    jsonUrl: `${base}/mcp/tools-json`,
    statefulUrl: `${base}/mcp/tools-stateful`,
    server,
    envoy,
    serverToken,
    apiKeys,
    audit,
    usageDb,
    token: (claims = {}, resource = `${base}/mcp/tools`) => signedToken(signing, ISSUER, resource, claims),
    stop: async () => {
      await envoy.stop();
      await processor.close();
      store.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON-RPC error an MCP request failed with; fails the test when it did not fail with one. */
export async function mcpRefusal(action: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McpError);
  return { code: (error as McpError).code, message: (error as McpError).message };
}

/** The official SDK client, connected to an MCP endpoint with a bearer token (none: no Authorization). */
export async function connectClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "portcullis-e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} } }));
  return client;
}
