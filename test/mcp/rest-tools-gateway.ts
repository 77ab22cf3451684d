/**
 * A REST API published as MCP tools, for end-to-end tests: a real HTTP orders backend, its
 * OpenAPI document, the processor in this process and a real Envoy on the compiled config, all on
 * 127.0.0.1. The version's
 * routes have access rules of their own (reading for every sso caller, creating for writers,
 * cancelling for admins), so a tool call can be compared with the direct REST call it becomes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig } from "../../src/config/types.ts";
import type { McpAuditRecord } from "../../src/mcp/audit.ts";
import type { ReceivedRequest } from "../support/backend.ts";
import { startMcpProcessor } from "./mcp-processor.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import type { RunningEnvoy } from "../support/envoy.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { freePorts } from "../support/ports.ts";

const ISSUER = "https://sso.test/";

export const ORDERS_OPENAPI = {
  openapi: "3.1.0",
  info: { title: "Orders", version: "1" },
  servers: [{ url: "https://api.example.com/v1" }],
  paths: {
    "/orders/{orderId}": {
      parameters: [{ name: "orderId", in: "path", required: true, schema: { type: "string" }, description: "The order's id." }],
      get: { operationId: "getOrder", summary: "Get one order", parameters: [{ name: "view", in: "query", schema: { type: "string", enum: ["brief", "full"] } }] },
      delete: { operationId: "cancelOrder", summary: "Cancel an order" },
    },
    "/orders": {
      post: {
        operationId: "createOrder",
        summary: "Place an order",
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/NewOrder" } } } },
      },
    },
  },
  components: { schemas: { NewOrder: { type: "object", properties: { item: { type: "string" }, quantity: { type: "integer" } }, required: ["item"] } } },
};

export interface RestToolsGateway {
  readonly base: string;
  /** `${base}/mcp/orders` */
  readonly mcpUrl: string;
  /** Every request the orders backend received, in order. */
  readonly received: ReceivedRequest[];
  /** The processor's audit records of tool calls, in the order they ended. */
  readonly audit: McpAuditRecord[];
  readonly envoy: RunningEnvoy;
  token(claims?: Record<string, unknown>): string;
  stop(): Promise<void>;
}

/** Echoes what it got as JSON; answers 404 for order ids starting with `missing`. */
async function startOrdersBackend(received: ReceivedRequest[]) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
      received.push(request);
      const missing = request.path.startsWith("/v1/orders/missing");
      res.writeHead(missing ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(missing ? { error: "no such order" } : { method: request.method, path: request.path, body: request.body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { port: (server.address() as AddressInfo).port, close };
}

export async function startRestToolsGateway(): Promise<RestToolsGateway> {
  const received: ReceivedRequest[] = [];
  const backend = await startOrdersBackend(received);
  const [listener, processorPort] = await freePorts(2);
  const { processor, gateways: mcpGateways, audit } = await startMcpProcessor(processorPort!);
  const signing = rsaSigningKey("k1");
  const dir = mkdtempSync(join(tmpdir(), "portcullis-rest-tools-"));
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  writeFileSync(join(dir, "orders.openapi.json"), JSON.stringify(ORDERS_OPENAPI));
  const route = (name: string, match: Record<string, unknown>, roles?: string[]) => ({ name, match, provider: "orders", ...(roles ? { access: { allow: [{ identity: "sso", roles }] } } : {}) });
  const config: GatewayConfig = {
    gateway: { name: "rest-tools-e2e", listeners: [{ name: "web", address: "127.0.0.1", port: listener!, hostnames: ["*"] }] },
    identities: { sso: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, claims: { roles: "roles" } } },
    // The processor (tool lists, audit) is the AI processor: ai.processor places it (no model is served here).
    ai: { access: { allow: [{ identity: "sso" }] }, models: {}, processor: { address: `127.0.0.1:${processor.port}` } },
    providers: { orders: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "orders",
        owner: "shop",
        basePath: "/orders",
        openapi: "orders.openapi.json",
        versions: {
          v1: {
            state: "published",
            access: { allow: [{ identity: "sso" }] },
            routes: [
              route("get-order", { template: "/{id}", methods: ["GET"] }),
              route("cancel-order", { template: "/{id}", methods: ["DELETE"] }, ["admin"]),
              route("create-order", { path: "/", methods: ["POST"] }, ["writer"]),
            ],
            mcp: { path: "/mcp/orders", resource: `http://127.0.0.1:${listener}/mcp/orders` },
          },
        },
      },
    ],
  };
  const { envoy, ir } = await startCompiledEnvoy(config, { file: join(dir, "gateway.config.ts") });
  // The processor learns the gateway the way serve does: from the compiled IR.
  mcpGateways.apply(ir);
  const base = `http://127.0.0.1:${listener}`;
  return {
    base,
    mcpUrl: `${base}/mcp/orders`,
    received,
    audit,
    envoy,
    token: (claims = {}) => signedToken(signing, ISSUER, undefined, claims),
    stop: async () => {
      await envoy.stop();
      await processor.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
