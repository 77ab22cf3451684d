/**
 * A federated MCP endpoint for end-to-end tests: two real MCP servers (tool-server.ts) behind
 * one path, `docs__…` (a stateful server, its own token) and `repo__…` (a stateless server
 * answering with server-sent events, another token), the processor in this process and a real
 * Envoy on the compiled config. Callers are JWTs minted here; tool rules name prefixed tools.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { McpAuditRecord } from "../../src/mcp/audit.ts";
import { startMcpProcessor } from "./mcp-processor.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import type { RunningEnvoy } from "../support/envoy.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { freePorts } from "../support/ports.ts";
import { ISSUER } from "./mcp-gateway.ts";
import { startToolServer, type ToolServer } from "./tool-server.ts";

export interface FederationUnderTest {
  /** `http://127.0.0.1:<port>/mcp/all`. */
  readonly url: string;
  /** The servers and the token each is given by the gateway. */
  readonly docs: ToolServer;
  readonly repo: ToolServer;
  readonly docsToken: string;
  readonly repoToken: string;
  readonly envoy: RunningEnvoy;
  readonly audit: McpAuditRecord[];
  token(claims?: Record<string, unknown>): string;
  stop(): Promise<void>;
}

export async function startFederation(): Promise<FederationUnderTest> {
  const [docs, repo] = await Promise.all([startToolServer(), startToolServer()]);
  const [listener, processorPort] = await freePorts(2);
  const { processor, gateways: mcpGateways, audit } = await startMcpProcessor(processorPort!);
  const dir = mkdtempSync(join(tmpdir(), "portcullis-mcp-federation-"));
  const signing = rsaSigningKey("k1");
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  const url = `http://127.0.0.1:${listener}/mcp/all`;
  const docsToken = `docs-${randomBytes(18).toString("base64url")}`;
  const repoToken = `repo-${randomBytes(18).toString("base64url")}`;
  const plaintext = { reason: "test MCP server on the loopback interface" };
  const config: GatewayConfig = {
    gateway: { name: "mcp-federation-e2e", listeners: [{ name: "web", address: "127.0.0.1", port: listener!, hostnames: ["*"] }] },
    identities: { sso: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, claims: { roles: "roles" } } },
    providers: {
      "docs-server": { type: "mcp", url: `http://127.0.0.1:${docs.port}/mcp-stateful`, plaintext, bearerToken: { env: "DOCS_TOKEN" } },
      "repo-server": { type: "mcp", url: `http://127.0.0.1:${repo.port}/mcp`, plaintext, bearerToken: { env: "REPO_TOKEN" } },
    },
    ai: { access: { allow: [{ identity: "sso" }] }, models: {}, processor: { address: `127.0.0.1:${processor.port}` } },
    mcp: [
      {
        name: "all",
        path: "/mcp/all",
        servers: [
          { server: "docs-server", prefix: "docs" },
          { server: "repo-server", prefix: "repo" },
        ],
        resource: url,
        access: { allow: [{ identity: "sso" }] },
        tools: [
          { tool: "*__search_*", access: { public: { reason: "read-only search is open to every caller of the API" } } },
          { tool: "repo__delete_repo", access: { allow: [{ identity: "sso", roles: ["admin"] }] } },
          { tool: "docs__read_file", access: { allow: [{ identity: "sso", scopes: ["files:read"] }] } },
        ],
      },
    ],
  };
  const { envoy, ir } = await startCompiledEnvoy(config, { file: join(dir, "gateway.config.ts"), env: { DOCS_TOKEN: docsToken, REPO_TOKEN: repoToken } });
  mcpGateways.apply(ir);
  return {
    url,
    docs,
    repo,
    docsToken,
    repoToken,
    envoy,
    audit,
    token: (claims = {}) => signedToken(signing, ISSUER, url, claims),
    stop: async () => {
      await envoy.stop();
      await processor.close();
      await Promise.all([docs.close(), repo.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
