/**
 * The differential test of access: `portcullis explain`'s matrix for the TypeScript example
 * (JWT with scopes and roles, API-key consumers, mTLS clients, an address rule) is played against
 * real Envoy cell by cell — real tokens signed here, real keys, real client certificates, the
 * client address carried the way the example trusts it (one proxy hop of X-Forwarded-For) — and
 * Envoy's answer must equal the matrix: the status, the backend reached exactly when allowed, and
 * the identity headers the backend saw naming the caller the matrix says was admitted.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Caller } from "../../src/access/callers.ts";
import { accessMatrix, type AccessMatrix } from "../../src/access/matrix.ts";
import { requestFor } from "../../src/access/requests.ts";
import { AiGateways } from "../../src/ai/gateways.ts";
import { type AiProcessor, startAiProcessor } from "../../src/ai/processor-server.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { GatewayConfig, JwtIdentity } from "../../src/config/types.ts";
import { claimPath } from "../../src/model/claims.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { silentLogger } from "../../src/server/log.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { stopAllEnvoys } from "../support/envoy.ts";
import { freePorts } from "../support/ports.ts";
import { McpGateways } from "../../src/mcp/gateways.ts";

const EXAMPLE = resolve("examples/typescript/gateway.config.ts");
const dir = mkdtempSync(join(tmpdir(), "portcullis-matrix-"));
const signing = rsaSigningKey("matrix");

let pki: TestPki;
let backends: TestBackend[] = [];
let config: GatewayConfig;
let ir: GatewayIR;
let matrix: AccessMatrix;
const ports = { public: 0, mesh: 0, processor: 0 };
let processor: AiProcessor | undefined;
const apiKeys = new Map<string, string>();
const clientCertificates = new Map<string, { cert: Buffer; key: Buffer }>();

/** Sets a claim where the identity's mapping reads it (a dotted name is a path into nested objects). */
function setClaim(payload: Record<string, unknown>, name: string, value: unknown): void {
  const path = claimPath(name);
  let node = payload;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1)!] = value;
}

/** A token of `identity` that holds exactly the caller's claims. */
function token(identity: JwtIdentity, caller: Caller): string {
  const claims = identity.claims ?? {};
  const payload: Record<string, unknown> = { sub: "matrix" };
  if (caller.scopes.length > 0) setClaim(payload, claims.scopes ?? "scope", caller.scopes.join(" "));
  if (caller.roles.length > 0) setClaim(payload, claims.roles!, [...caller.roles]);
  if (caller.groups.length > 0) setClaim(payload, claims.groups!, [...caller.groups]);
  for (const claim of caller.claims) setClaim(payload, claim.name, claim.value);
  // A required audience (an MCP resource) comes on top of the identity's own, which Envoy checks first.
  if (payload["aud"] !== undefined && identity.audiences?.[0]) payload["aud"] = [identity.audiences[0], payload["aud"]];
  return signedToken(signing, identity.issuer, identity.audiences?.[0], payload);
}

/** The headers that carry the caller's credential and address. */
function credentials(caller: Caller): Record<string, string> {
  const headers: Record<string, string> = { "x-forwarded-for": caller.address };
  if (caller.kind === "jwt") headers["authorization"] = `Bearer ${token(config.identities![caller.identity!] as JwtIdentity, caller)}`;
  if (caller.kind === "apiKey") headers["x-api-key"] = apiKeys.get(caller.consumer!)!;
  return headers;
}

function send(caller: Caller, method: string, path: string, headers: Record<string, string>): Promise<number> {
  const mtls = caller.kind === "mtls";
  const host = mtls ? "internal.shop.example" : "api.shop.example";
  return new Promise((resolveStatus) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: mtls ? ports.mesh : ports.public,
        servername: host,
        method,
        path,
        headers: { host, ...headers },
        ca: readFileSync(pki.caFile),
        ...(mtls ? clientCertificates.get(caller.principal!) : {}),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolveStatus(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolveStatus(0));
    req.end();
  });
}

beforeAll(async () => {
  pki = createTestPki();
  mkdirSync(join(dir, "secrets"));
  const copy = (from: string, to: string) => writeFileSync(join(dir, "secrets", to), readFileSync(from));
  const api = pki.issue("api", ["DNS:api.shop.example", "DNS:*.shop.example"]);
  const mesh = pki.issue("mesh", ["DNS:internal.shop.example"]);
  copy(api.certFile, "api.crt");
  copy(api.keyFile, "api.key");
  copy(mesh.certFile, "mesh.crt");
  copy(mesh.keyFile, "mesh.key");
  copy(pki.caFile, "mesh-ca.pem");
  const checkout = pki.issue("checkout", ["URI:spiffe://shop.example/ns/shop/sa/checkout"]);
  clientCertificates.set("spiffe://shop.example/ns/shop/sa/checkout", { cert: readFileSync(checkout.certFile), key: readFileSync(checkout.keyFile) });
  for (const consumer of ["acme", "globex"]) apiKeys.set(consumer, randomBytes(24).toString("base64url"));
  writeFileSync(join(dir, "secrets", "globex.keys"), `${apiKeys.get("globex")}\n`);
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));

  const loaded = await loadConfig(EXAMPLE);
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  config = structuredClone(loaded.config!);
  [ports.public, ports.mesh, ports.processor] = (await freePorts(3)) as [number, number, number];
  backends = await Promise.all([startBackend("orders"), startBackend("catalog")]);
  // The example's own listeners, identities and APIs; only where it binds and what it calls are local.
  config.gateway.listeners = config.gateway.listeners.map((listener) => ({ ...listener, address: "127.0.0.1", port: listener.name === "mesh" ? ports.mesh : ports.public }));
  for (const backend of backends) {
    config.providers![backend.name] = { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } };
  }
  // The AI processor runs too: Envoy's ext_proc also sees the gateway's own denials on AI routes.
  const gateways = new AiGateways();
  const mcpGateways = new McpGateways();
  processor = await startAiProcessor({
    address: { kind: "tcp", host: "127.0.0.1", port: ports.processor },
    gateways,
    mcp: { gateways: mcpGateways },
    deps: { usage: { record: () => undefined }, price: () => 0 },
    log: silentLogger,
  });
  if (config.ai) config.ai = { ...config.ai, processor: { address: `127.0.0.1:${ports.processor}` } };
  const env = { ACME_API_KEYS: apiKeys.get("acme")!, OPENAI_API_KEY: "test", ANTHROPIC_API_KEY: "test", TOOLS_MCP_TOKEN: "test" };
  const compiled = await startCompiledEnvoy(config, { file: join(dir, "gateway.config.ts"), env });
  ir = compiled.ir;
  gateways.apply(ir);
  mcpGateways.apply(ir);
  matrix = accessMatrix(ir);
}, 60_000);

afterAll(async () => {
  await stopAllEnvoys();
  await processor?.close();
  await Promise.all(backends.map((backend) => backend.close()));
  pki?.remove();
  rmSync(dir, { recursive: true, force: true });
});

it("the matrix covers every kind of caller and decision the example has", () => {
  const kinds = new Set(matrix.callers.map((caller) => caller.kind));
  expect([...kinds].sort()).toEqual(["anonymous", "apiKey", "jwt", "mtls"]);
  expect(matrix.callers.some((caller) => caller.range !== undefined)).toBe(true);
  const statuses = new Set(matrix.cells.map((cell) => cell.status));
  for (const status of [200, 401, 403, 410]) expect(statuses).toContain(status);
});

it("Envoy's decision equals the matrix in every cell, and the backend is reached exactly when allowed", async () => {
  const byId = new Map(ir.routes.map((route) => [route.id, route]));
  const callers = new Map(matrix.callers.map((caller) => [caller.id, caller]));
  const disagreements: string[] = [];
  let sent = 0;
  for (const cell of matrix.cells) {
    const caller = callers.get(cell.caller)!;
    const route = byId.get(cell.route)!;
    const wanted = requestFor(route, cell.method);
    const id = `cell-${sent++}`;
    const status = await send(caller, cell.method, wanted.path, { ...wanted.headers, ...credentials(caller), "x-test-id": id });
    if ((route.ai || route.mcp) && cell.outcome === "allow") {
      // Admitted AI and MCP requests go on to the processor and the mcp filter, which answer them
      // by their own protocol (their own tests check how); what is compared here is Envoy's access decision.
      if (status === 401 || status === 403) disagreements.push(`${cell.caller} ${cell.method} ${wanted.path} (${cell.route}): matrix allows, Envoy ${status}`);
      continue;
    }
    const seen = backends.flatMap((backend) => backend.received).find((r) => r.headers["x-test-id"] === id)?.headers;
    // A route Envoy answers itself (the MCP protected-resource metadata) reaches no backend.
    const expectedReach = cell.outcome === "allow" && route.action.kind !== "respond";
    if (status !== cell.status || (seen !== undefined) !== expectedReach) {
      disagreements.push(`${cell.caller} ${cell.method} ${wanted.path} (${cell.route}): matrix ${cell.status} (${cell.reason}), Envoy ${status}, backend ${seen ? "reached" : "not reached"}`);
    } else if (seen) {
      const told = { identity: seen["x-portcullis-identity"], consumer: seen["x-portcullis-consumer"], spiffe: seen["x-portcullis-spiffe-id"] };
      const expected = {
        identity: cell.admittedBy,
        consumer: caller.kind === "apiKey" && cell.admittedBy === caller.identity ? caller.consumer : undefined,
        spiffe: caller.kind === "mtls" ? caller.principal : undefined,
      };
      if (JSON.stringify(told) !== JSON.stringify(expected)) disagreements.push(`${cell.caller} ${cell.method} ${wanted.path}: upstream told ${JSON.stringify(told)}, expected ${JSON.stringify(expected)}`);
    }
  }
  expect(sent).toBe(matrix.cells.length);
  expect(disagreements).toEqual([]);
});
