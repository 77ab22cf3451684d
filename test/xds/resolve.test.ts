import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";

const base = (patch: Partial<GatewayConfig> = {}): GatewayConfig => ({
  gateway: { name: "unit", listeners: [{ name: "web", port: 8080, hostnames: ["a.test"] }] },
  providers: { svc: { type: "service", endpoints: ["10.0.0.1:80"], plaintext: { reason: "unit test backend only" } } },
  apis: [{ name: "api", owner: "t", basePath: "/api", versions: { v1: { state: "published", access: { public: { reason: "unit test route" } }, routes: [{ match: { path: "/" }, provider: "svc" }] } } }],
  ...patch,
});

const codes = (config: unknown) => compileGateway(config as GatewayConfig, undefined, { env: {} }).diagnostics.map((d) => d.code);

describe("resolve on configs that validation would reject", () => {
  it("reports, never crashes, and gives no snapshot on errors", () => {
    expect(codes(base({ providers: { svc: { type: "service", endpoints: ["no-port"], plaintext: { reason: "unit test backend only" } } } }))).toContain("PCL4004");
    expect(codes(base({ providers: {} }))).toContain("PCL4002");
    expect(codes(base({ providers: { svc: { type: "service", endpoints: ["10.0.0.1:80"], timeouts: { connect: "soon" }, plaintext: { reason: "unit test backend only" } } } }))).toContain("PCL4005");
    const missingSecret = base({ gateway: { name: "unit", listeners: [{ name: "web", port: 443, hostnames: ["a.test"], tls: { certificate: { env: "NOPE_CERT" }, privateKey: { file: "/nonexistent/key.pem" } } }] } });
    const result = compileGateway(missingSecret, undefined, { env: {} });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["PCL4001", "PCL4001"]);
    expect(result.snapshot).toBeUndefined();
  });

  it("reports an empty secret file like an unset variable, at the reference", () => {
    const empty = join(mkdtempSync(join(tmpdir(), "portcullis-empty-secret-")), "key.pem");
    writeFileSync(empty, "");
    const config = base({ gateway: { name: "unit", listeners: [{ name: "web", port: 443, hostnames: ["a.test"], tls: { certificate: { file: empty }, privateKey: { file: empty } } }] } });
    const result = compileGateway(config, undefined, { env: {} });
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["PCL4001", `Secret file ${empty} is empty.`],
      ["PCL4001", `Secret file ${empty} is empty.`],
    ]);
    expect(result.snapshot).toBeUndefined();
  });

  it("refuses zero and out-of-range durations instead of disabling a timeout or crashing the encoder", () => {
    const timeouts = (connect: string) => base({ providers: { svc: { type: "service", endpoints: ["10.0.0.1:80"], timeouts: { connect }, plaintext: { reason: "unit test backend only" } } } });
    for (const connect of ["0s", "999999999999h"]) {
      const result = compileGateway(timeouts(connect), undefined, { env: {} });
      expect(result.diagnostics.map((d) => d.code)).toEqual(["PCL4005"]);
      expect(result.snapshot).toBeUndefined();
    }
  });

  it("names the cluster of a remote JWKS so that no provider can take the same name", () => {
    const config = base({
      identities: { staff: { type: "jwt", issuer: "https://auth.test/", jwks: { url: "https://auth.test/jwks.json" } } },
      providers: { svc: { type: "service", endpoints: ["10.0.0.1:80"], plaintext: { reason: "unit test backend only" } }, "jwks-staff": { type: "service", endpoints: ["10.0.0.2:80"], plaintext: { reason: "unit test backend only" } } },
    });
    const { snapshot, diagnostics } = compileGateway(config, undefined, { env: {} });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect([...snapshot!.resources.get("type.googleapis.com/envoy.config.cluster.v3.Cluster")!.keys()]).toEqual(["jwks-staff", "jwks.staff", "portcullis_audit", "svc"]);
  });

  it("survives shapes far from the schema with an error, not a throw", () => {
    for (const weird of [{}, { gateway: {} }, { gateway: { name: "x", listeners: [{}] }, apis: [{ versions: { v1: { state: "published" } } }] }]) {
      const result = compileGateway(weird as GatewayConfig);
      expect(result.diagnostics.map((d) => d.code)).toContain("PCL4006");
      expect(result.snapshot).toBeUndefined();
    }
  });

  it("folds access: a version's rule applies to its routes, a route's own overrides it, none denies", () => {
    const config = base();
    config.apis![0]!.versions["v1"]!.routes.push({ name: "closed", match: { path: "/closed" }, provider: "svc", access: undefined as never });
    config.apis![0]!.versions["v2"] = { state: "published", routes: [{ match: { path: "/" }, provider: "svc" }] };
    const { ir } = compileGateway(config);
    const access = Object.fromEntries(ir!.routes.map((r) => [r.id, r.access.kind]));
    expect(access).toEqual({ "api.v1.closed": "public", "api.v1.route": "public", "api.v2.route": "deny" });
  });
});
