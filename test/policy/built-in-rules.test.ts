/**
 * Every built-in rule: a config that triggers it (exactly it, once, at the expected config path)
 * and one that does not. A rule added to policies/ without a case here fails the first test.
 */
import { describe, expect, it } from "vitest";
import type { ApiVersion, GatewayConfig, ServiceProvider } from "../../src/config/types.ts";
import { builtInRules } from "../../src/policy/packs.ts";
import { baseConfig, changed, codes, policyFindings } from "./policy-config.ts";

type Edit = (config: GatewayConfig) => void;

interface Case {
  readonly triggers: Edit;
  readonly passes: Edit;
  /** Where the finding is placed (a config model path). */
  readonly at: readonly (string | number)[];
}

const v1 = (config: GatewayConfig): ApiVersion => config.apis![0]!.versions["v1"]!;
const orders = (config: GatewayConfig) => config.providers!["orders"] as ServiceProvider;
const route = (config: GatewayConfig, index = 0) => v1(config).routes[index]!;
const listenerTls = { certificate: { file: "server.crt" }, privateKey: { file: "server.key" } };

const CASES: Readonly<Record<string, Case>> = {
  "PCL-ZT-001": {
    triggers: (c) => delete v1(c).access,
    passes: (c) => {
      delete v1(c).access;
      route(c).access = { public: { reason: "the order list is public" } };
      route(c, 1).access = { allow: [{ identity: "customers" }] };
    },
    at: ["apis", 0, "versions", "v1", "routes", 0, "access"],
  },
  "PCL-ZT-002": {
    triggers: (c) => (v1(c).access = { public: { reason: "          " } }),
    passes: (c) => (v1(c).access = { public: { reason: "a public catalog of order states" } }),
    at: ["apis", 0, "versions", "v1", "access"],
  },
  "PCL-ZT-003": {
    triggers: (c) => (route(c).access = { allow: [{ clientCidrs: ["10.20.0.0/16"] }, { identity: "customers", scopes: ["admin"] }] }),
    // Another scope of the same identity shifts access; it admits nobody new.
    passes: (c) => (route(c).access = { allow: [{ identity: "customers", scopes: ["orders:write"] }] }),
    at: ["apis", 0, "versions", "v1", "routes", 0, "access"],
  },
  "PCL-ZT-004": {
    triggers: (c) => {
      delete orders(c).tls;
      orders(c).plaintext = { reason: "legacy backend on the private network" };
    },
    // Loopback traffic never leaves the host.
    passes: (c) => {
      delete orders(c).tls;
      orders(c).plaintext = { reason: "sidecar on the same host" };
      orders(c).endpoints = ["127.0.0.1:8080"];
    },
    at: ["providers", "orders"],
  },
  "PCL-ZT-005": {
    triggers: (c) => delete orders(c).tls!.expectedSans,
    passes: (c) => (orders(c).tls = { expectedSpiffeIds: ["spiffe://shop.example/orders"] }),
    at: ["providers", "orders", "tls"],
  },
  "PCL-ZT-006": {
    triggers: (c) => delete (c.identities!["customers"] as { audiences?: string[] }).audiences,
    passes: () => {},
    at: ["identities", "customers"],
  },
  "PCL-ZT-007": {
    triggers: (c) => (c.identities!["partners"] = { type: "apiKey", from: { query: "key" }, consumers: [{ name: "acme", keys: { env: "ACME_KEYS" } }] }),
    passes: () => {},
    at: ["identities", "partners", "from"],
  },
  "PCL-ZT-008": {
    triggers: (c) => (route(c).cors = { origins: ["*"], credentials: true }),
    passes: (c) => (route(c).cors = { origins: ["*"], credentials: false }),
    at: ["apis", 0, "versions", "v1", "routes", 0, "cors"],
  },
  "PCL-ZT-009": {
    triggers: (c) => (c.gateway.listeners[0]!.tls = { ...listenerTls, clientCertificate: { caCertificate: { file: "ca.pem" }, required: false } }),
    passes: (c) => (c.gateway.listeners[0]!.tls = { ...listenerTls, clientCertificate: { caCertificate: { file: "ca.pem" } } }),
    at: ["gateway", "listeners", 0, "tls", "clientCertificate", "required"],
  },
  "PCL-ZT-010": {
    triggers: (c) => (route(c).cors = { origins: ["https://*.example.com"], credentials: true }),
    passes: (c) => (route(c).cors = { origins: ["https://app.example.com"], credentials: true }),
    at: ["apis", 0, "versions", "v1", "routes", 0, "cors"],
  },
  "PCL-ZT-011": {
    triggers: (c) => Object.assign(c.identities!["customers"]!, { from: [{ header: "Authorization", prefix: "Bearer " }, { query: "access_token" }] }),
    passes: (c) => Object.assign(c.identities!["customers"]!, { from: [{ header: "Authorization", prefix: "Bearer " }, { cookie: "session" }] }),
    at: ["identities", "customers", "from"],
  },
  "PCL-ZT-012": {
    triggers: (c) => Object.assign(c.identities!["customers"]!, { clockSkewSeconds: 301 }),
    passes: (c) => Object.assign(c.identities!["customers"]!, { clockSkewSeconds: 300 }),
    at: ["identities", "customers", "clockSkewSeconds"],
  },
  "PCL-GOV-001": {
    triggers: (c) => (c.apis![0]!.owner = "  "),
    passes: () => {},
    at: ["apis", 0, "owner"],
  },
  "PCL-GOV-002": {
    triggers: (c) => delete c.apis![0]!.description,
    passes: () => {},
    at: ["apis", 0],
  },
  "PCL-GOV-003": {
    triggers: (c) => Object.assign(v1(c), { state: "deprecated", deprecatedOn: "2026-01-01", sunset: "2030-01-01" }),
    passes: (c) => {
      Object.assign(v1(c), { state: "deprecated", deprecatedOn: "2026-01-01", sunset: "2030-01-01", successor: "v2" });
      c.apis![0]!.versions["v2"] = { state: "published", access: { allow: [{ identity: "customers" }] }, routes: [{ match: { path: "/" }, provider: "orders" }] };
    },
    at: ["apis", 0, "versions", "v1", "state"],
  },
  "PCL-GOV-004": {
    triggers: (c) => {
      Object.assign(v1(c), { state: "deprecated", deprecatedOn: "2026-01-01", sunset: "2026-05-31", successor: "v2" });
      c.apis![0]!.versions["v2"] = { state: "published", access: { allow: [{ identity: "customers" }] }, routes: [{ match: { path: "/" }, provider: "orders" }] };
    },
    // The sunset day itself (TODAY) is not past.
    passes: (c) => {
      Object.assign(v1(c), { state: "deprecated", deprecatedOn: "2026-01-01", sunset: "2026-06-01", successor: "v2" });
      c.apis![0]!.versions["v2"] = { state: "published", access: { allow: [{ identity: "customers" }] }, routes: [{ match: { path: "/" }, provider: "orders" }] };
    },
    at: ["apis", 0, "versions", "v1", "sunset"],
  },
  "PCL-GOV-007": {
    triggers: (c) => {
      Object.assign(v1(c), { state: "deprecated", sunset: "2030-01-01", successor: "v2" });
      c.apis![0]!.versions["v2"] = { state: "published", access: { allow: [{ identity: "customers" }] }, routes: [{ match: { path: "/" }, provider: "orders" }] };
    },
    // A day ahead announces the deprecation (RFC 9745); it is a date all the same.
    passes: (c) => {
      Object.assign(v1(c), { state: "deprecated", deprecatedOn: "2026-09-01", sunset: "2030-01-01", successor: "v2" });
      c.apis![0]!.versions["v2"] = { state: "published", access: { allow: [{ identity: "customers" }] }, routes: [{ match: { path: "/" }, provider: "orders" }] };
    },
    at: ["apis", 0, "versions", "v1", "state"],
  },
  "PCL-GOV-005": {
    triggers: (c) => {
      c.apis![0]!.versions["v0"] = { state: "retired", sunset: "2025-01-01", successor: "v1", routes: [{ match: { prefix: "/" }, provider: "orders" }] };
    },
    passes: (c) => {
      c.apis![0]!.versions["v0"] = { state: "retired", sunset: "2025-01-01", successor: "v1", routes: [] };
    },
    at: ["apis", 0, "versions", "v0", "routes"],
  },
  "PCL-GOV-006": {
    // Off by default: a gateway that requires OpenAPI documents turns it on.
    triggers: (c) => (c.policy = { rules: { "PCL-GOV-006": "error" } }),
    passes: (c) => {
      c.policy = { rules: { "PCL-GOV-006": "error" } };
      c.apis![0]!.openapi = "openapi/orders.yaml";
    },
    at: ["apis", 0, "versions", "v1"],
  },
  "PCL-ZT-020": {
    triggers: (c) => (route(c).rateLimit = { requests: 10, per: "minute", mode: "global", failureMode: "allow" }),
    passes: (c) => (route(c).rateLimit = { requests: 10, per: "minute", mode: "global", failureMode: "deny" }),
    at: ["apis", 0, "versions", "v1", "routes", 0, "rateLimit", "failureMode"],
  },
  "PCL-ZT-021": {
    triggers: (c) => (c.apis![0]!.rateLimit = { requests: 100, per: "minute", mode: "global", failureMode: "allow" }),
    passes: (c) => (c.apis![0]!.rateLimit = { requests: 100, per: "minute", mode: "global" }),
    at: ["apis", 0, "rateLimit", "failureMode"],
  },
};

describe("built-in rules", () => {
  it("the base config triggers no rule", () => {
    expect(policyFindings(baseConfig())).toEqual([]);
  });

  it("every built-in rule has a case", () => {
    expect(Object.keys(CASES).sort()).toEqual(builtInRules().map((rule) => rule.id).sort());
  });

  for (const [id, rule] of Object.entries(CASES)) {
    it(`${id} triggers`, () => {
      const findings = policyFindings(changed(rule.triggers));
      expect(new Set(codes(findings))).toEqual(new Set([id]));
      expect(findings[0]!.path).toEqual(rule.at);
      expect(findings[0]!.hint).toBeTruthy();
    });

    it(`${id} stays silent where the config is fine`, () => {
      expect(codes(policyFindings(changed(rule.passes)))).toEqual([]);
    });
  }

  it("GOV-006 is off unless turned on", () => {
    expect(codes(policyFindings(baseConfig()))).not.toContain("PCL-GOV-006");
  });

  it("messages name what they are about", () => {
    const [finding] = policyFindings(changed(CASES["PCL-ZT-003"]!.triggers));
    expect(finding!.message).toBe("Route orders.v1.list admits clients from 10.20.0.0/16, beyond what version v1 of orders admits by default.");
  });
});
