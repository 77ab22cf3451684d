/** What `diff` says about each kind of change, from two compiled configs (in process: the CLI is covered in diff-cli.test.ts). */
import { describe, expect, it } from "vitest";
import type { GatewayIR } from "../../src/model/ir.ts";
import { reviewChanges } from "../../src/review/review.ts";
import { yamlCompiler } from "../support/yaml-compile.ts";

const BASE = `gateway:
  name: changes
  listeners:
    - name: web
      address: 127.0.0.1
      port: 8443
      hostnames: [localhost]
      tls: { certificate: { file: web.crt }, privateKey: { file: web.key }, minVersion: "1.3" }
identities:
  customers:
    type: jwt
    issuer: https://auth.example.com/
    audiences: [shop]
    jwks: { url: https://auth.example.com/.well-known/jwks.json }
    claims: { roles: roles }
  partners:
    type: apiKey
    from: { header: x-api-key }
    consumers: [{ name: acme, keys: { env: ACME_KEYS } }]
providers:
  orders:
    type: service
    endpoints: ["orders.internal:8443"]
    tls: { caCertificate: { file: ca.pem }, expectedSpiffeIds: ["spiffe://example.org/orders"] }
apis:
  - name: shop
    owner: team
    description: Shop.
    basePath: /shop
    versions:
      v1:
        state: published
        sunset: "2031-01-31"
        access: { allow: [{ identity: customers, roles: [admin] }, { identity: customers, roles: [clerk], clientCidrs: [10.0.0.0/8] }] }
        routes:
          - name: list
            match: { path: /, methods: [GET] }
            provider: orders
            rateLimit: { requests: 10, per: second }
            cors: { origins: ["https://shop.example"] }
          - { name: get, match: { template: "/{id}", methods: [GET] }, provider: orders }
`;

const compile = yamlCompiler("", { secrets: "placeholder" });
async function irOf(yaml: string): Promise<GatewayIR> {
  const result = await compile(yaml);
  expect(result.ir, JSON.stringify(result.diagnostics.filter((d) => d.severity === "error"))).toBeDefined();
  return result.ir!;
}

/** The sentences (with their risk) for the change `edit` makes to BASE. */
async function sentences(edit: (yaml: string) => string): Promise<string[]> {
  const after = edit(BASE);
  expect(after).not.toBe(BASE);
  return reviewChanges(await irOf(BASE), await irOf(after)).map((change) => `${change.risk}: ${change.message}`);
}

describe("security changes in words", () => {
  it("upstream verification weakened: system trust store instead of the CA, SPIFFE ID no longer checked", async () => {
    expect(await sentences((y) => y.replace(`tls: { caCertificate: { file: ca.pem }, expectedSpiffeIds: ["spiffe://example.org/orders"] }`, "tls: {}"))).toEqual([
      "loosens: upstream orders: server certificate now checked against the system trust store instead of its own CA (any public CA can vouch for it)",
      "loosens: upstream orders: no longer requires SPIFFE ID spiffe://example.org/orders — the server's identity is no longer verified, only that a trusted CA signed its certificate",
    ]);
  });

  it("upstream TLS turned off", async () => {
    const out = await sentences((y) => y.replace(`tls: { caCertificate: { file: ca.pem }, expectedSpiffeIds: ["spiffe://example.org/orders"] }`, "plaintext: { reason: moved next door }"));
    expect(out).toEqual(["loosens: upstream orders: TLS turned off — traffic to orders.internal:8443 is now plaintext"]);
  });

  it("API key moved to the query string, issuer changed, last audience removed, claim mapping changed", async () => {
    const out = await sentences((y) => y.replace("from: { header: x-api-key }", "from: { query: api_key }").replace("issuer: https://auth.example.com/", "issuer: https://login.example.net/").replace("audiences: [shop]", "audiences: []").replace("claims: { roles: roles }", "claims: { roles: realm_access.roles }"));
    expect(out).toEqual([
      "loosens: identity customers: issuer changed from https://auth.example.com/ to https://login.example.net/ — a new trust anchor",
      "loosens: identity customers: audience shop removed — tokens for any audience are now accepted",
      "loosens: identity partners: API key now read from query parameter api_key (was header x-api-key) — keys in URLs end up in logs, browser history and Referer headers",
      "review: identity customers: roles now read from claim realm_access.roles (was claim roles)",
    ]);
  });

  it("rate limit raised, CORS loosened, listener TLS lowered", async () => {
    const out = await sentences((y) =>
      y.replace("{ requests: 10, per: second }", "{ requests: 50, per: second }").replace(`origins: ["https://shop.example"]`, `origins: ["https://shop.example", "https://partner.example"], credentials: true`).replace(`minVersion: "1.3"`, `minVersion: "1.2"`),
    );
    expect(out).toEqual([
      "loosens: listener web: minimum TLS version lowered from 1.3 to 1.2",
      "loosens: GET /v1/shop: rate limit raised from 10 per second for all callers together to 50 per second for all callers together",
      "loosens: GET /v1/shop: CORS now admits origin https://partner.example",
      "loosens: GET /v1/shop: CORS now allows credentials (cookies, authorization) from the admitted origins",
    ]);
  });

  it("an API-wide limit said once for the API, and a limit that now fails open", async () => {
    const withApiLimit = (y: string) => y.replace("    basePath: /shop\n", "    basePath: /shop\n    rateLimit: { requests: 1000, per: minute, mode: global }\n");
    const out = reviewChanges(await irOf(withApiLimit(BASE)), await irOf(BASE.replace("{ requests: 10, per: second }", "{ requests: 10, per: second, mode: global, failureMode: allow }")));
    expect(out.map((change) => `${change.risk}: ${change.message} @ ${change.path.join(".")}`)).toEqual([
      "loosens: GET /v1/shop: when the rate-limit service fails, requests are now let through unlimited @ apis.0.versions.v1.routes.0.rateLimit",
      "loosens: API shop: rate limit removed (was 1000 per minute for all callers together) @ apis.0.rateLimit",
    ]);
  });

  it("sunset moved, and a version retired", async () => {
    expect(await sentences((y) => y.replace(`sunset: "2031-01-31"`, `sunset: "2030-06-30"`))).toEqual(["review: shop v1: sunset moved from 2031-01-31 to 2030-06-30"]);
    const retired = await sentences((y) => y.replace("state: published", "state: retired"));
    expect(retired).toContain("review: shop v1: published → retired (sunset 2031-01-31) — its routes now answer 410 Gone");
    expect(retired).toContain("tightens: role admin of identity customers and role clerk of identity customers from 10.0.0.0/8 lose access to shop v1");
  });
});

describe("access changes in words", () => {
  it("a rule without conditions: every caller of the identity gains, said once", async () => {
    const out = await sentences((y) => y.replace("{ identity: customers, roles: [admin] }, { identity: customers, roles: [clerk], clientCidrs: [10.0.0.0/8] }", "{ identity: customers }"));
    expect(out).toEqual(["loosens: every caller of identity customers gains access to shop v1"]);
  });

  it("a caller whose client ranges change alike is named once, one whose ranges differ per range", async () => {
    const out = await sentences((y) => y.replace("{ identity: customers, roles: [admin] }, ", "").replace("roles: [clerk], clientCidrs: [10.0.0.0/8]", "roles: [clerk]"));
    expect(out).toEqual(["loosens: role clerk of identity customers from other addresses gains access to shop v1", "tightens: role admin of identity customers loses access to shop v1"]);
  });

  it("a new config: everything is added", async () => {
    const changes = reviewChanges(undefined, await irOf(BASE)).map((change) => change.message);
    expect(changes).toContain("role admin of identity customers and role clerk of identity customers from 10.0.0.0/8 gain access to shop v1");
    expect(changes).toContain("identity customers added: tokens of issuer https://auth.example.com/ (audiences shop) — a new trust anchor");
    expect(changes).toContain("shop v1 added (published, sunset 2031-01-31)");
  });
});
