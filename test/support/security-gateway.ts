import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { GatewayConfig } from "../../src/config/types.ts";
import { startBackend, type TestBackend } from "./backend.ts";
import { startCompiledEnvoy } from "./compiled-envoy.ts";
import type { RunningEnvoy } from "./envoy.ts";
import { claimsValidNow, mintJwt, rsaSigningKey, type SigningKey } from "./jwt-mint.ts";
import { freePort } from "./ports.ts";

export const SECURITY_HOST = "api.test";
export const SECURITY_ISSUER = "https://auth.test/";
export const SECURITY_AUDIENCE = "shop";
/** The public route's prefix: anyone may call it. */
export const PUBLIC_PATH = "/v1/app/public";
/** The protected route's prefix: a token of the staff identity with role admin. */
export const ADMIN_PATH = "/v1/app/admin";

/** A gateway under attack: real Envoy running the compiled config, one recording backend behind it. */
export interface SecurityGateway {
  readonly port: number;
  readonly backend: TestBackend;
  readonly envoy: RunningEnvoy;
  /** The key the gateway's JWKS publishes (kid "k1"). */
  readonly signing: SigningKey;
  /** A token the admin route admits, with `overrides` on its claims. */
  adminToken(overrides?: Record<string, unknown>): string;
  close(): Promise<void>;
}

function config(port: number, backendPort: number): GatewayConfig {
  return {
    gateway: { name: "attacked", listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: [SECURITY_HOST] }] },
    identities: {
      staff: { type: "jwt", issuer: SECURITY_ISSUER, audiences: [SECURITY_AUDIENCE], jwks: { file: "jwks.json" }, claims: { roles: "roles" } },
    },
    providers: { app: { type: "service", endpoints: [`127.0.0.1:${backendPort}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "app",
        owner: "security",
        description: "The app under attack.",
        basePath: "/app",
        versions: {
          v1: {
            state: "published",
            routes: [
              { name: "public", match: { prefix: "/public" }, provider: "app", access: { public: { reason: "public pages under attack" } } },
              { name: "admin", match: { prefix: "/admin" }, provider: "app", access: { allow: [{ identity: "staff", roles: ["admin"] }] } },
            ],
          },
        },
      },
    ],
  };
}

/**
 * Starts the gateway both security suites attack: /v1/app/public is public, /v1/app/admin needs a
 * staff token with role admin (RS256, verified against a local JWKS holding only `signing`).
 */
export async function startSecurityGateway(): Promise<SecurityGateway> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-security-"));
  const signing = rsaSigningKey("k1");
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  const backend = await startBackend("app");
  const port = await freePort();
  const { envoy, diagnostics } = await startCompiledEnvoy(config(port, backend.port), { file: join(dir, "gateway.yaml") });
  if (diagnostics.length > 0) throw new Error(`the security gateway compiles with findings: ${JSON.stringify(diagnostics)}`);
  return {
    port,
    backend,
    envoy,
    signing,
    adminToken: (overrides = {}) =>
      mintJwt({ alg: "RS256", typ: "JWT", kid: signing.kid }, claimsValidNow(SECURITY_ISSUER, SECURITY_AUDIENCE, { roles: ["admin"], ...overrides }), { rsa: signing.privateKey }),
    close: async () => {
      await envoy.stop();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the gateway before the calling file's tests and stops it after them; call at the top level of a test file. */
export function securityGatewayForThisFile(): () => SecurityGateway {
  let gateway: SecurityGateway | undefined;
  beforeAll(async () => {
    gateway = await startSecurityGateway();
  }, 30_000);
  afterAll(async () => {
    await gateway?.close();
  });
  return () => {
    if (!gateway) throw new Error("the security gateway has not started");
    return gateway;
  };
}
