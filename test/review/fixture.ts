/**
 * A gateway for the review tests, written as YAML from a few switches so the base and the changed
 * config differ exactly where a test says, and a real git repository to hold them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rsaSigningKey } from "../support/jwt-mint.ts";

export interface ShopOptions {
  /** The create route also admits role clerk (a rule of its own). */
  readonly clerkMayCreate: boolean;
  /** The stats route is public instead of admin-only. */
  readonly publicStats: boolean;
  /** Consumers admitted to users v1. */
  readonly usersConsumers: readonly string[];
  readonly audiences: readonly string[];
  /** The list route of orders v2 is rate limited. */
  readonly listRateLimit: string | undefined;
  /** A reports API on a plaintext upstream. */
  readonly reports: boolean;
  readonly legacyWaiverExpires: string;
  readonly ordersV1: "published" | "deprecated";
}

export const BASE: ShopOptions = {
  clerkMayCreate: false,
  publicStats: false,
  usersConsumers: ["acme", "globex"],
  audiences: ["orders-api", "legacy-portal"],
  listRateLimit: "{ requests: 100, per: minute }",
  reports: false,
  legacyWaiverExpires: "2030-01-31",
  ordersV1: "published",
};

export const CHANGED: ShopOptions = {
  clerkMayCreate: true,
  publicStats: true,
  usersConsumers: ["acme"],
  audiences: ["orders-api"],
  listRateLimit: undefined,
  reports: true,
  legacyWaiverExpires: "2030-06-30",
  ordersV1: "deprecated",
};

const admin = "{ allow: [{ identity: customers, roles: [admin] }] }";

export function shopYaml(o: ShopOptions): string {
  return `gateway:
  name: shop
  listeners:
    - { name: local, address: 127.0.0.1, port: 10000, hostnames: [localhost] }
identities:
  customers:
    type: jwt
    issuer: https://auth.shop.example/
    audiences: [${o.audiences.join(", ")}]
    jwks: { file: jwks.json }
    claims: { roles: roles }
  partners:
    type: apiKey
    from: { header: x-api-key }
    consumers:
      - { name: acme, keys: { env: ACME_KEYS } }
      - { name: globex, keys: { env: GLOBEX_KEYS } }
providers:
  orders:
    type: service
    endpoints: ["orders.shop.internal:8443"]
    tls: { expectedSans: [orders.shop.internal] }
  legacy:
    type: service
    endpoints: ["10.0.0.5:8080"]
    plaintext: { reason: the legacy user service has no TLS yet }
${o.reports ? `  reports:
    type: service
    endpoints: ["10.0.0.7:8080"]
    plaintext: { reason: the report generator runs beside the gateway }
` : ""}apis:
  - name: orders
    owner: team-orders
    description: Orders.
    basePath: /orders
    versions:
      v1:
        state: ${o.ordersV1}
${o.ordersV1 === "deprecated" ? `        deprecatedOn: "2026-12-01"
        sunset: "2027-06-30"
        successor: v2
` : ""}        access: ${admin}
        routes:
          - { name: list, match: { path: /, methods: [GET] }, provider: orders }
      v2:
        state: published
        access: ${admin}
        routes:
          - name: list
            match: { path: /, methods: [GET] }
            provider: orders
${o.listRateLimit ? `            rateLimit: ${o.listRateLimit}\n` : ""}          - name: create
            match: { path: /, methods: [POST] }
            provider: orders
            access: { allow: [{ identity: customers, roles: [admin] }${o.clerkMayCreate ? ", { identity: customers, roles: [clerk] }" : ""}] }
          - name: stats
            match: { path: /stats, methods: [GET] }
            provider: orders
            access: ${o.publicStats ? "{ public: { reason: dashboards show order counts } }" : admin}
  - name: users
    owner: team-users
    description: Users.
    basePath: /users
    versions:
      v1:
        state: published
        access: { allow: [{ identity: partners, consumers: [${o.usersConsumers.join(", ")}] }] }
        routes:
          - { name: list, match: { path: /, methods: [GET] }, provider: legacy }
          - { name: get, match: { template: "/{id}", methods: [GET] }, provider: legacy }
${o.reports ? `  - name: reports
    owner: team-orders
    description: Reports.
    basePath: /reports
    versions:
      v1:
        state: published
        access: ${admin}
        routes:
          - { name: daily, match: { path: /daily, methods: [GET] }, provider: reports }
` : ""}policy:
  waivers:
    - { rule: PCL-ZT-004, target: providers.legacy, reason: migrating to TLS, owner: team-users, expires: "${o.legacyWaiverExpires}" }
${o.reports ? `    - { rule: PCL-ZT-004, target: providers.reports, reason: runs beside the gateway, owner: team-orders, expires: "2030-03-31" }\n` : ""}`;
}

/** A key set of one fresh RSA key under `kid`. */
export const jwksJson = (kid: string) => `${JSON.stringify({ keys: [rsaSigningKey(kid).jwk] }, null, 2)}\n`;

const IDENTITY = { GIT_AUTHOR_NAME: "Review Test", GIT_AUTHOR_EMAIL: "review@example.com", GIT_COMMITTER_NAME: "Review Test", GIT_COMMITTER_EMAIL: "review@example.com" };

/** Runs git in `cwd` with a fixed author, outside any user or system configuration. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
}

/** Writes `files` (relative path → text) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
