/**
 * A JWKS file that is missing, empty or holds no key Envoy can use is a located error in every
 * mode (compile --check too): Envoy would load it, verify no token, and answer 401 on every route.
 * Keys Envoy skips are warnings; the rules follow Envoy's key loader (source/common/jwt/jwks.cc).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { isRuleId } from "../../src/policy/codes.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { createTestPki } from "../support/certs.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-jwks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const golden = readFileSync(join(import.meta.dirname, "../golden/_pki/jwks.json"), "utf8");

function config(jwksFile: string): GatewayConfig {
  return {
    gateway: { name: "unit", listeners: [{ name: "web", port: 8080, hostnames: ["a.test"] }] },
    providers: { svc: { type: "service", endpoints: ["10.0.0.1:80"], plaintext: { reason: "unit test backend only" } } },
    identities: { staff: { type: "jwt", issuer: "https://auth.test/", jwks: { file: jwksFile } } },
    apis: [{ name: "api", owner: "t", basePath: "/api", versions: { v1: { state: "published", access: { rules: [{ allow: "staff" }] }, routes: [{ match: { path: "/" }, provider: "svc" }] } } }],
  } as unknown as GatewayConfig;
}

function findings(text: string | undefined, secrets: "read" | "placeholder" = "placeholder") {
  const file = join(dir, `jwks-${Math.random().toString(36).slice(2)}.json`);
  if (text !== undefined) writeFileSync(file, text);
  const result = compileGateway(config(file), undefined, { file: join(dir, "gateway.yaml"), env: {}, secrets });
  return { snapshot: result.snapshot, found: result.diagnostics.filter((d) => !isRuleId(d.code)).map((d) => ({ code: d.code, severity: d.severity, path: d.path?.join("."), message: d.message })) };
}

const AT = "identities.staff.jwks.file";
const jwk = (key: object) => JSON.stringify({ keys: [key] });
const ed25519 = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
const secp256k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ format: "jwk" });

describe("JWKS files", () => {
  it("accepts RSA, EC, Ed25519 and HMAC key sets, in compile --check (placeholder) and serve (read) alike", () => {
    for (const text of [golden, jwk({ ...p256, alg: "ES256" }), jwk({ ...ed25519, alg: "EdDSA" }), jwk({ kty: "oct", k: "c2VjcmV0LWtleS1ieXRlcw" })]) {
      for (const mode of ["placeholder", "read"] as const) {
        const { found, snapshot } = findings(text, mode);
        expect(found, text).toEqual([]);
        expect(snapshot).toBeDefined();
      }
    }
  });

  it("refuses a missing, empty, non-JSON or key-less file with an error at the reference, also in compile --check", () => {
    for (const [text, why] of [
      [undefined, /cannot be read \(ENOENT\)/],
      ["", /is empty/],
      ["{ not json", /is not JSON/],
      ["[]", /is not a JSON object/],
      ["{}", /no "keys"/],
      ['{"keys": {}}', /not an array/],
      ['{"keys": []}', /has no keys/],
    ] as const) {
      const { found, snapshot } = findings(text);
      expect(found, String(text)).toEqual([expect.objectContaining({ code: "PCL4075", severity: "error", path: AT })]);
      expect(found[0]!.message).toMatch(why);
      expect(snapshot).toBeUndefined();
    }
  });

  it("refuses a set whose every key Envoy would skip, and warns about each skipped key beside a usable one", () => {
    const unusable = [
      { kty: "RSA", alg: "ES256", n: "AQAB", e: "AQAB", kid: "mixed-up" },
      { kty: "RSA", n: "xHh0" },
      { ...p256, alg: "ES384" },
      { ...secp256k1 },
      { kty: "OKP", crv: "X25519", x: ed25519.x },
      { kty: "oct", k: "" },
      { kty: "PQC", x: "AA" },
      "not an object",
    ];
    const { found } = findings(JSON.stringify({ keys: unusable }));
    expect(found).toEqual([expect.objectContaining({ code: "PCL4075", message: expect.stringMatching(/holds no key Envoy can use/) })]);

    const mixed = findings(JSON.stringify({ keys: [...unusable, p256] }));
    expect(mixed.snapshot).toBeDefined();
    expect(mixed.found.map((f) => [f.code, f.severity, f.path])).toEqual(unusable.map(() => ["PCL4076", "warning", AT]));
    expect(mixed.found[0]!.message).toContain('key 1 (kid "mixed-up")');
    expect(mixed.found[0]!.message).toContain('alg "ES256"');
  });

  it("takes Google's kid → PEM certificate map, which Envoy also loads", () => {
    const pki = createTestPki();
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.pem", "-days", "30", "-subj", "/CN=rsa"], { cwd: pki.dir, stdio: "pipe" });
      const certificate = readFileSync(join(pki.dir, "rsa.pem"), "utf8");
      expect(findings(JSON.stringify({ k1: certificate.endsWith("\n") ? certificate : `${certificate}\n` })).found).toEqual([]);
      expect(findings(JSON.stringify({ k1: readFileSync(pki.caFile, "utf8") })).found).toEqual([expect.objectContaining({ code: "PCL4075", message: expect.stringMatching(/no RSA key/) })]);
    } finally {
      pki.remove();
    }
  });
});
