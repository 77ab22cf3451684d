/** A gateway with two teams, every lifecycle state, JWT rules, a public route and an OpenAPI document, for the catalog tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rsaSigningKey } from "../support/jwt-mint.ts";

export const CATALOG_CONFIG = `gateway:
  name: catalog-shop
  listeners:
    - { name: public, address: 127.0.0.1, port: 18443, hostnames: [shop.example] }
identities:
  staff:
    type: jwt
    issuer: https://auth.shop.example
    audiences: [shop-api]
    jwks: { file: jwks.json }
    claims: { roles: roles }
providers:
  orders: { type: service, endpoints: ["127.0.0.1:18081"], plaintext: { reason: test backend on loopback } }
apis:
  - name: orders
    owner: team-orders
    description: "Create and track orders <b>fast</b>."
    basePath: /orders
    openapi: openapi/orders.yaml
    versions:
      v1:
        state: deprecated
        deprecatedOn: "2026-01-15"
        sunset: "2030-06-30"
        successor: v2
        access: { allow: [{ identity: staff }] }
        routes: [{ name: list, match: { path: /, methods: [GET] }, provider: orders }]
      v2:
        state: published
        access: { allow: [{ identity: staff, roles: [clerk] }, { identity: staff, roles: [admin] }] }
        routes:
          - { name: list, match: { path: /, methods: [GET] }, provider: orders }
          - { name: create, match: { path: /, methods: [POST] }, provider: orders, access: { allow: [{ identity: staff, roles: [admin] }] }, rateLimit: { requests: 5, per: second } }
      v3: { state: draft, routes: [{ match: { prefix: / }, provider: orders, access: { allow: [{ identity: staff }] } }] }
  - name: stock
    owner: team-warehouse
    description: Stock levels per warehouse.
    basePath: /stock
    unversioned:
      access: { public: { reason: load balancers probe it } }
      routes: [{ name: health, match: { path: /health, methods: [GET] }, provider: orders }]
    versions:
      v1:
        state: published
        access: { public: { reason: stock levels are published on the shop anyway } }
        routes: [{ match: { template: "/{sku}", methods: [GET] }, provider: orders }]
      v0: { state: retired, sunset: "2025-01-31", successor: v1, routes: [] }
`;

export const ORDERS_OPENAPI = `openapi: 3.1.0
info: { title: Orders API, version: "2" }
paths:
  /:
    get: { operationId: listOrders, summary: List orders, responses: { "200": { description: ok } } }
    post: { operationId: createOrder, summary: Place an order, responses: { "201": { description: placed } } }
  /{id}:
    get: { operationId: getOrder, deprecated: true, responses: { "200": { description: ok } } }
`;

/** Writes the config, its JWKS and its OpenAPI document into a new directory; returns the config path. */
export function writeCatalogFixture(overrides: { config?: string; openapi?: string | null } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-catalog-"));
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [rsaSigningKey("k1").jwk] }));
  if (overrides.openapi !== null) {
    mkdirSync(join(dir, "openapi"));
    writeFileSync(join(dir, "openapi", "orders.yaml"), overrides.openapi ?? ORDERS_OPENAPI);
  }
  const file = join(dir, "gateway.yaml");
  writeFileSync(file, overrides.config ?? CATALOG_CONFIG);
  return file;
}
