/**
 * What the MCP gateway adds to tools/call and tools/list: the same JSON-RPC request through the
 * same Envoy to the same MCP server (the official SDK, JSON answers), once on a plain API route
 * (the caller's JWT checked, nothing else) and once through the MCP API (the same JWT check, plus
 * Envoy's mcp filter, the tool rules, and the MCP processor: strict parse, the server's token,
 * tools/list filtered, the audit). One request at a time at a steady pace, variants interleaved so
 * drift hits them alike. The processor runs as `portcullis processor` in a process of its own, as
 * in a fleet; the server and the client run here. Prints figures; never fails on timing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig } from "../src/config/types.ts";
import { startToolServer } from "../test/mcp/tool-server.ts";
import { startCompiledEnvoy } from "../test/support/compiled-envoy.ts";
import { stopAllEnvoys } from "../test/support/envoy.ts";
import { rsaSigningKey, signedToken } from "../test/support/jwt-mint.ts";
import { freePorts } from "../test/support/ports.ts";
import { percentile, printTable } from "./support/percentiles.ts";
import { startProcessorProcess } from "./support/processor-process.ts";

const SAMPLES = 300;
const WARMUP = 30;
const PACE_MS = 5;
const ISSUER = "https://sso.bench/";
const ENV = { MCP_SERVER_TOKEN: "bench-server-token-0123456789" };
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const dir = mkdtempSync(join(tmpdir(), "portcullis-mcp-bench-"));
/** Two rules: the one the measured call matches is the first, the list filter checks both. */
const TOOL_RULES = [
  { tool: "search_*", access: { public: { reason: "read-only search is open to every caller of the API" } } },
  { tool: "delete_repo", access: { allow: [{ identity: "sso", roles: ["admin"] }] } },
];

function config(ports: { listener: number; processor: number; server: number }): GatewayConfig {
  const plaintext = { reason: "benchmark MCP server on the loopback interface" };
  const sso = { allow: [{ identity: "sso" }] };
  return {
    gateway: { name: "mcp-bench", listeners: [{ name: "web", address: "127.0.0.1", port: ports.listener, hostnames: ["*"] }] },
    identities: { sso: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, claims: { roles: "roles" } } },
    providers: {
      tools: { type: "mcp", url: `http://127.0.0.1:${ports.server}/mcp-json`, plaintext, bearerToken: { env: "MCP_SERVER_TOKEN" } },
      direct: { type: "service", endpoints: [`127.0.0.1:${ports.server}`], plaintext },
    },
    ai: { access: sso, models: {}, processor: { address: `127.0.0.1:${ports.processor}` } },
    apis: [
      {
        name: "direct",
        owner: "bench",
        description: "The MCP server on a plain route: the baseline.",
        basePath: "/direct",
        versions: { v1: { state: "published", access: sso, routes: [{ name: "mcp", match: { path: "/mcp", methods: ["POST"] }, provider: "direct", rewrite: { prefix: "/mcp-json" } }] } },
      },
    ],
    mcp: [{ name: "tools", path: "/mcp/tools", server: "tools", resource: `http://127.0.0.1:${ports.listener}/mcp/tools`, access: sso, tools: TOOL_RULES }],
  };
}

/** Milliseconds for one JSON-RPC request; the answer must be 200 without a JSON-RPC error. */
function timed(port: number, path: string, token: string, body: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": Buffer.byteLength(body) };
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => (res.statusCode === 200 && !text.includes('"error"') ? resolve(performance.now() - start) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const server = await startToolServer();
  const [listener, processorPort] = await freePorts(2);
  const signing = rsaSigningKey("bench");
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  const gateway = config({ listener: listener!, processor: processorPort!, server: server.port });
  const processor = await startProcessorProcess(dir, gateway, ENV);
  await startCompiledEnvoy(gateway, { file: join(dir, "gateway.yaml"), env: ENV });
  const token = signedToken(signing, ISSUER, `http://127.0.0.1:${listener}/mcp/tools`, { roles: ["admin"], exp: Math.floor(Date.now() / 1000) + 3600 });
  try {
    const requests = {
      "tools/call": JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "search_docs", arguments: {} } }),
      "tools/list": JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    };
    const rows: string[][] = [];
    for (const [method, body] of Object.entries(requests)) {
      const plain: number[] = [];
      const gatewayed: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const a = await timed(listener!, "/v1/direct/mcp", token, body);
        await new Promise((resolve) => setTimeout(resolve, PACE_MS));
        const b = await timed(listener!, "/mcp/tools", token, body);
        await new Promise((resolve) => setTimeout(resolve, PACE_MS));
        if (i >= WARMUP) {
          plain.push(a);
          gatewayed.push(b);
        }
      }
      const fmt = (value: number) => `${value.toFixed(2)} ms`;
      const p = (samples: number[], q: number) => percentile(samples, q);
      rows.push([method, fmt(p(plain, 50)), fmt(p(gatewayed, 50)), fmt(p(gatewayed, 50) - p(plain, 50)), fmt(p(plain, 99)), fmt(p(gatewayed, 99)), fmt(p(gatewayed, 99) - p(plain, 99))]);
    }
    printTable(
      `MCP gateway overhead: ${SAMPLES} requests per variant, one at a time, ${PACE_MS} ms apart (same Envoy, same JWT check, same MCP server)`,
      ["request", "plain p50", "MCP p50", "added p50", "plain p99", "MCP p99", "added p99"],
      rows,
    );
  } finally {
    await stopAllEnvoys();
    processor.kill("SIGTERM");
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
