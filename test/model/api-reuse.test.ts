/**
 * Resolve keeps a frozen API's IR while it sits at the same index and the identities its access
 * names are the same section (src/model/resolve-apis.ts); the policy view keeps that IR's subjects
 * (src/policy/view.ts). Neither may outlive what it was made of.
 */
import { describe, expect, it } from "vitest";
import { toPlainData } from "../../src/config/load/plain-data.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { resolve } from "../../src/model/resolve.ts";

const place = { file: "test.yaml", locate: () => undefined };
const frozen = <T>(value: T, previous?: unknown): T => toPlainData(value, place, { freeze: true, previous }).value as T;

const shop = { name: "shop", owner: "team", basePath: "/shop", versions: { v1: { state: "published", access: { allow: [{ identity: "partners" }] }, routes: [{ name: "buy", match: { path: "/buy" }, provider: "app" }] } } };
const other = { name: "other", owner: "team", basePath: "/other", versions: { v1: { state: "published", access: { public: { reason: "test" } }, routes: [{ name: "a", match: { path: "/a" }, provider: "app" }] } } };
const base = {
  gateway: { name: "api-reuse", listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
  providers: { app: { type: "service", endpoints: ["127.0.0.1:9999"], plaintext: { reason: "test backend on loopback" } } },
  identities: { partners: { type: "jwt", issuer: "https://issuer.test", jwks: { url: "https://issuer.test/jwks.json" } } },
  apis: [shop],
};

const apis = (config: GatewayConfig) => {
  const resolved = resolve(config, { secrets: "placeholder", env: {} });
  expect(resolved.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return resolved.ir!.apis;
};

describe("a frozen API's IR across compiles", () => {
  it("is reused while nothing it was made of changed, and made again when its index or the identities change", () => {
    const first = frozen(base) as unknown as GatewayConfig;
    const [before] = apis(first);
    // A new config root (another listener port), the same API object: the same IR.
    const again = frozen({ ...base, gateway: { ...base.gateway, listeners: [{ ...base.gateway.listeners[0], port: 8081 }] } }, first) as unknown as GatewayConfig;
    expect(again.apis![0]).toBe(first.apis![0]);
    expect(apis(again)[0]).toBe(before);
    // The identity its access names changes type: the same API object, another access.
    const retyped = frozen({ ...base, identities: { partners: { type: "apiKey", from: { header: "x-api-key" }, consumers: [{ name: "acme", keys: { env: "ACME_KEYS" } }] } } }, first) as unknown as GatewayConfig;
    expect(retyped.apis![0]).toBe(first.apis![0]);
    const [after] = apis(retyped);
    expect(after).not.toBe(before);
    const rules = (access: unknown) => (access as { rules: { identityType: string }[] }).rules.map((rule) => rule.identityType);
    expect(rules(before!.versions[0]!.access)).toEqual(["jwt"]);
    expect(rules(after!.versions[0]!.access)).toEqual(["apiKey"]);
    // An API inserted before it: the same API object (and identities) at index 1.
    expect(apis(first)[0]!.index).toBe(0);
    const moved = frozen({ ...base, apis: [other, shop] }, first) as unknown as GatewayConfig;
    expect(moved.apis![1]).toBe(first.apis![0]);
    const [, shopMoved] = apis(moved);
    expect(shopMoved!.index).toBe(1);
  });
});
