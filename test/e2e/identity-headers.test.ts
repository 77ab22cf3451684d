/**
 * The verified caller, forwarded and logged, through real Envoy: after authentication the
 * backend gets the gateway's own identity headers (which identity admitted the request, JWT
 * subject, scopes, roles and groups, API-key consumer, client-certificate SPIFFE ID), a client's
 * copies never get through, and every access-log line names the caller or says why it was denied.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRuleId } from "../../src/policy/codes.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { startCompiledEnvoy } from "../support/compiled-envoy.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { stopAllEnvoys, type RunningEnvoy } from "../support/envoy.ts";
import { freePort } from "../support/ports.ts";
import { shopIdentityApi } from "../support/test-apis.ts";

const ISSUER = "https://sso.test/";
const SPIFFE = "spiffe://test.example/ns/shop/sa/checkout";
const signing = rsaSigningKey("k1");
const dir = mkdtempSync(join(tmpdir(), "portcullis-identity-"));
const apiKey = randomBytes(24).toString("base64url");

let pki: TestPki;
let client: { cert: Buffer; key: Buffer };
let port = 0;
let backend: TestBackend;
let envoy: RunningEnvoy;

const token = (claims: Record<string, unknown>) => signedToken(signing, ISSUER, undefined, claims);

/** One HTTPS request; the backend's echo of what it received, or undefined when the gateway answered. */
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  seen?: Record<string, string>;
}

function call(path: string, headers: Record<string, string> = {}, withCertificate = false): Promise<Reply> {
  const tag = randomBytes(6).toString("hex");
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, servername: "api.test", headers: { host: "api.test", "x-tag": tag, ...headers }, ca: readFileSync(pki.caFile), agent: false, ...(withCertificate ? client : {}) },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => {
          const seen = backend.received.find((r) => r.headers["x-tag"] === tag)?.headers as Record<string, string> | undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ...(seen ? { seen } : {}) });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const identityHeadersOf = (seen: Record<string, string> | undefined) => Object.fromEntries(Object.entries(seen ?? {}).filter(([name]) => name.startsWith("x-portcullis-") || name === "x-user-id"));

beforeAll(async () => {
  pki = createTestPki();
  const server = pki.issue("server", ["DNS:api.test"]);
  const checkout = pki.issue("checkout", [`URI:${SPIFFE}`]);
  client = { cert: readFileSync(checkout.certFile), key: readFileSync(checkout.keyFile) };
  backend = await startBackend("shop");
  port = await freePort();
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  writeFileSync(join(dir, "partner.keys"), `${apiKey}\n`);
  const config: GatewayConfig = {
    gateway: {
      name: "identity",
      identityHeaders: { subject: "x-user-id" },
      listeners: [
        {
          name: "web",
          address: "127.0.0.1",
          port,
          hostnames: ["api.test"],
          tls: { certificate: { file: server.certFile }, privateKey: { file: server.keyFile }, clientCertificate: { caCertificate: { file: pki.caFile }, required: false } },
        },
      ],
    },
    identities: {
      staff: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" }, claims: { roles: "realm_access.roles", groups: "groups" } },
      partners: { type: "apiKey", consumers: [{ name: "acme", keys: { file: "partner.keys" } }] },
      mesh: { type: "mtls", clients: [{ name: "checkout", spiffeId: SPIFFE }] },
    },
    providers: { shop: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [shopIdentityApi("a public page for the identity test", { office: { allow: [{ clientCidrs: ["127.0.0.0/8"] }] } })],
  };
  const started = await startCompiledEnvoy(config, { file: join(dir, "gateway.yaml") });
  expect(started.diagnostics.filter((d) => !isRuleId(d.code))).toEqual([]);
  envoy = started.envoy;
}, 30_000);

afterAll(async () => {
  await stopAllEnvoys();
  await backend?.close();
  pki?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe("identity headers for upstreams", () => {
  it("a JWT caller: identity, subject (under its configured name), scopes, nested roles and groups (lists as JSON)", async () => {
    const { status, seen } = await call("/v1/shop/staff", { authorization: `Bearer ${token({ scope: "shop.read shop.list", realm_access: { roles: ["clerk", "admin"] }, groups: ["eu"] })}` });
    expect(status).toBe(200);
    expect(identityHeadersOf(seen)).toEqual({
      "x-portcullis-identity": "staff",
      "x-user-id": "alice",
      "x-portcullis-scopes": "shop.read shop.list",
      "x-portcullis-roles": '["clerk","admin"]',
      "x-portcullis-groups": '["eu"]',
    });
  });

  it("an mTLS caller on the same route: the identity and the certificate's SPIFFE ID", async () => {
    const { status, seen } = await call("/v1/shop/staff", {}, true);
    expect(status).toBe(200);
    expect(identityHeadersOf(seen)).toEqual({ "x-portcullis-identity": "mesh", "x-portcullis-spiffe-id": SPIFFE });
  });

  it("an API-key caller: the identity and the consumer, never the key", async () => {
    const { status, seen } = await call("/v1/shop/partners", { "x-api-key": apiKey });
    expect(status).toBe(200);
    expect(identityHeadersOf(seen)).toEqual({ "x-portcullis-identity": "partners", "x-portcullis-consumer": "acme" });
    expect(seen?.["x-api-key"]).toBeUndefined();
  });

  it("an address rule names itself; a public route sets nothing", async () => {
    expect(identityHeadersOf((await call("/v1/shop/office")).seen)).toEqual({ "x-portcullis-identity": "client_address" });
    expect(identityHeadersOf((await call("/v1/shop/public")).seen)).toEqual({});
  });

  it("client-sent identity headers never reach the backend, under default or configured names", async () => {
    const forged = { "x-portcullis-identity": "staff", "x-user-id": "root", "x-portcullis-subject": "root", "x-portcullis-roles": "admin", "x-portcullis-consumer": "acme", "x-portcullis-spiffe-id": SPIFFE };
    expect(identityHeadersOf((await call("/v1/shop/public", forged)).seen)).toEqual({});
    expect(identityHeadersOf((await call("/v1/shop/office", forged)).seen)).toEqual({ "x-portcullis-identity": "client_address" });
  });
});

describe("denials", () => {
  const problem = (reply: Reply) => {
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    return JSON.parse(reply.body) as Record<string, unknown>;
  };

  it("401 names the gateway's schemes (Bearer for tokens, ApiKey for keys) and never echoes the credential or the URL", async () => {
    const forged = `${token({ scope: "shop.read" }).slice(0, -8)}AAAAAAAA`;
    const badToken = await call("/v1/shop/staff", { authorization: `Bearer ${forged}` });
    expect(badToken.status).toBe(401);
    expect(badToken.headers["www-authenticate"]).toBe('Bearer realm="portcullis", ApiKey realm="portcullis"');
    expect(problem(badToken)).toMatchObject({ status: 401, title: "Unauthorized", reason: expect.stringContaining("jwt_authn") });
    expect(badToken.body).not.toContain(forged.slice(0, 40));

    const badKey = await call("/v1/shop/partners", { "x-api-key": "not-a-key-of-anyone-here" });
    expect(badKey.status).toBe(401);
    expect(badKey.headers["www-authenticate"]).toBe('Bearer realm="portcullis", ApiKey realm="portcullis"');
    expect(problem(badKey)).toMatchObject({ status: 401 });
    expect(badKey.body).not.toContain("not-a-key-of-anyone-here");
  });

  it("403 when the credential is valid but no rule admits the caller", async () => {
    const reply = await call("/v1/shop/staff", { authorization: `Bearer ${token({ scope: "other" })}` });
    expect(reply.status).toBe(403);
    expect(reply.headers["www-authenticate"]).toBeUndefined();
    expect(problem(reply)).toMatchObject({ status: 403, title: "Forbidden", reason: expect.stringContaining("rbac_access_denied") });
  });
});

describe("access log", () => {
  it("names the caller of every admitted request and the reason for every denial", async () => {
    await call("/v1/shop/staff", { authorization: `Bearer ${token({ scope: "shop.read" })}`, "user-agent": "log-jwt" });
    await call("/v1/shop/partners", { "x-api-key": apiKey, "user-agent": "log-key" });
    await call("/v1/shop/staff", { "user-agent": "log-mtls" }, true);
    await call("/v1/shop/staff", { authorization: `Bearer ${token({ scope: "other" })}`, "user-agent": "log-rbac" });
    await call("/v1/shop/partners", { "x-api-key": "wrong-key-wrong-key", "user-agent": "log-badkey" });
    await call("/v1/shop/staff", { authorization: "Bearer not.a.token", "user-agent": "log-badjwt" });
    const line = async (agent: string) => {
      for (let attempt = 0; attempt < 60; attempt++) {
        const found = envoy.accessLog().find((entry) => entry["user_agent"] === agent);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no access log line for ${agent}`);
    };
    expect(await line("log-jwt")).toMatchObject({ status: 200, identity: "staff", subject: "alice" });
    expect(await line("log-key")).toMatchObject({ status: 200, identity: "partners", consumer: "acme" });
    expect(await line("log-mtls")).toMatchObject({ status: 200, identity: "mesh", spiffe_id: SPIFFE });
    expect(await line("log-rbac")).toMatchObject({ status: 403, identity: null, response_code_details: expect.stringContaining("rbac_access_denied") });
    expect((await line("log-badkey"))["status"]).toBe(401);
    expect(await line("log-badjwt")).toMatchObject({ status: 401, response_code_details: expect.stringContaining("jwt_authn_access_denied") });
    expect(envoy.output()).not.toContain(apiKey);
  });
});
