/**
 * The gateway the rate-limit tests run: an `orders` API with v1 and v2, a JWT identity (`users`,
 * local JWKS) and an API-key identity (`partners`: consumers acme and globex of team red, initech
 * of team blue), real Envoy on the compiled config, and requests sent from a chosen loopback
 * address (127.0.0.1, 127.0.0.2, …: each is a different client to Envoy).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Access, ApiRateLimit, GatewayConfig, Route } from "../../src/config/types.ts";
import { startCompiledEnvoy, type CompiledEnvoy } from "../support/compiled-envoy.ts";
import { claimsValidNow, mintJwt, rsaSigningKey } from "../support/jwt-mint.ts";

export const HOST = "api.test";
const ISSUER = "https://auth.test/";
export const KEYS = { acme: "acme-key-0123456789abcdef0123", globex: "globex-key-0123456789abcdef01", initech: "initech-key-0123456789abcdef0" } as const;

export const USERS: Access = { allow: [{ identity: "users" }] };
export const PARTNERS: Access = { allow: [{ identity: "partners" }] };
export const PUBLIC: Access = { public: { reason: "rate-limit test route" } };

export interface LimitedGatewayOptions {
  readonly port: number;
  readonly backendPort: number;
  /** The routes of each version (v1 and v2 get the same), under /v1/orders and /v2/orders. */
  readonly routes: Route[];
  readonly apiRateLimit?: ApiRateLimit;
  /** host:port of the rate-limit service, for global limits. */
  readonly rateLimitService?: string;
}

export function limitedGatewayConfig(options: LimitedGatewayOptions): GatewayConfig {
  return {
    gateway: {
      name: "limited",
      listeners: [{ name: "web", address: "127.0.0.1", port: options.port, hostnames: [HOST] }],
      ...(options.rateLimitService ? { rateLimitService: { address: options.rateLimitService } } : {}),
    },
    identities: {
      users: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" } },
      partners: {
        type: "apiKey",
        consumers: [
          { name: "acme", team: "red", keys: { env: "ACME_KEYS" } },
          { name: "globex", team: "red", keys: { env: "GLOBEX_KEYS" } },
          { name: "initech", team: "blue", keys: { env: "INITECH_KEYS" } },
        ],
      },
    },
    providers: { orders: { type: "service", endpoints: [`127.0.0.1:${options.backendPort}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [
      {
        name: "orders",
        owner: "shop",
        description: "Orders, rate limited.",
        basePath: "/orders",
        ...(options.apiRateLimit ? { rateLimit: options.apiRateLimit } : {}),
        versions: { v1: { state: "published", routes: options.routes }, v2: { state: "published", routes: options.routes } },
      },
    ],
  };
}

export interface LimitedGatewayFiles {
  readonly dir: string;
  /** A token of identity `users` for this subject. */
  token(subject: string): string;
  remove(): void;
}

/** A directory with the JWKS the config names. */
export function limitedGatewayFiles(): LimitedGatewayFiles {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-ratelimit-"));
  const signing = rsaSigningKey("k1");
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  return {
    dir,
    token: (subject) => mintJwt({ alg: "RS256", typ: "JWT", kid: signing.kid }, claimsValidNow(ISSUER, undefined, { sub: subject }), { rsa: signing.privateKey }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startLimitedEnvoy(config: GatewayConfig, files: LimitedGatewayFiles): Promise<CompiledEnvoy> {
  return startCompiledEnvoy(config, { file: join(files.dir, "gateway.yaml"), env: { ACME_KEYS: KEYS.acme, GLOBEX_KEYS: KEYS.globex, INITECH_KEYS: KEYS.initech } });
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One GET through Envoy, from the loopback address `from`. */
export function send(port: number, path: string, options: { headers?: Record<string, string>; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", localAddress: options.from ?? "127.0.0.1", headers: { host: HOST, ...options.headers }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The statuses of `count` requests sent one after another. */
export async function statuses(count: number, next: (index: number) => Promise<Answer>): Promise<number[]> {
  const seen: number[] = [];
  for (let index = 0; index < count; index++) seen.push((await next(index)).status);
  return seen;
}
