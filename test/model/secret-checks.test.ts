/**
 * TLS material is checked when secrets are read (serve, up, validate): a key that does not match
 * its certificate, a file that holds no certificate or key, a certificate that has expired, is not
 * valid yet or expires soon, a CA bundle without a certificate. Findings are located at the
 * reference and never quote the secret.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { isRuleId } from "../../src/policy/codes.ts";
import type { GatewayConfig, SecretRef } from "../../src/config/types.ts";
import { checkCaBundle, checkCertificateAndKey } from "../../src/model/certificate-checks.ts";
import { Reporter } from "../../src/model/report.ts";
import { SecretValue } from "../../src/model/secret-value.ts";
import { createTestPki } from "../support/certs.ts";

const pki = createTestPki();
afterAll(() => pki.remove());
const server = pki.issue("server", ["DNS:localhost"]);
const other = pki.issue("other", ["DNS:localhost"]);
const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: pki.dir, stdio: "pipe" });
const write = (name: string, text: string) => {
  writeFileSync(join(pki.dir, name), text);
  return join(pki.dir, name);
};

/** A self-signed certificate that expired yesterday (x509 -days -1). */
function expiredCertificate(): { certFile: string; keyFile: string } {
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "expired.key", "-out", "expired.csr", "-subj", "/CN=expired"]);
  openssl(["x509", "-req", "-in", "expired.csr", "-signkey", "expired.key", "-days", "-1", "-out", "expired.pem"]);
  return { certFile: join(pki.dir, "expired.pem"), keyFile: join(pki.dir, "expired.key") };
}

function listenerConfig(certificate: SecretRef, privateKey: SecretRef, caCertificate?: SecretRef): GatewayConfig {
  return {
    gateway: {
      name: "unit",
      listeners: [{ name: "web", port: 8443, hostnames: ["a.test"], tls: { certificate, privateKey, ...(caCertificate ? { clientCertificate: { caCertificate } } : {}) } }],
    },
    providers: { svc: { type: "service", endpoints: ["10.0.0.1:80"], plaintext: { reason: "unit test backend only" } } },
    apis: [{ name: "api", owner: "t", basePath: "/api", versions: { v1: { state: "published", access: { public: { reason: "unit test route" } }, routes: [{ match: { path: "/" }, provider: "svc" }] } } }],
  } as GatewayConfig;
}

const findings = (config: GatewayConfig, secrets: "read" | "placeholder" = "read") =>
  compileGateway(config, undefined, { env: { KEY_PEM: readFileSync(other.keyFile, "utf8") }, secrets }).diagnostics.filter((d) => !isRuleId(d.code)).map((d) => ({ code: d.code, severity: d.severity, path: d.path?.join("."), message: d.message }));

const TLS = "gateway.listeners.0.tls";

describe("TLS secrets checked when read", () => {
  it("passes a matching certificate and key, and a CA bundle", () => {
    expect(findings(listenerConfig({ file: server.certFile }, { file: server.keyFile }, { file: pki.caFile }))).toEqual([]);
  });

  it("refuses a private key that belongs to another certificate, at the key's reference, without its bytes", () => {
    const result = compileGateway(listenerConfig({ file: server.certFile }, { env: "KEY_PEM" }), undefined, { env: { KEY_PEM: readFileSync(other.keyFile, "utf8") } });
    expect(result.snapshot).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.path?.join(".")])).toEqual([["PCL4074", "error", `${TLS}.privateKey`]]);
    expect(result.diagnostics[0]!.message).toContain("env:KEY_PEM");
    const keyBody = readFileSync(other.keyFile, "utf8").split("\n")[1]!;
    expect(JSON.stringify(result.diagnostics)).not.toContain(keyBody.slice(0, 20));
  });

  it("refuses a certificate file that is not PEM and a key file that holds no key", () => {
    const notPem = write("not-pem.crt", "this is not a certificate\n");
    expect(findings(listenerConfig({ file: notPem }, { file: server.keyFile }))).toEqual([expect.objectContaining({ code: "PCL4070", severity: "error", path: `${TLS}.certificate` })]);
    expect(findings(listenerConfig({ file: server.certFile }, { file: server.certFile }))).toEqual([expect.objectContaining({ code: "PCL4073", severity: "error", path: `${TLS}.privateKey` })]);
  });

  it("refuses an encrypted private key: Envoy is never given a passphrase", () => {
    openssl(["pkey", "-in", server.keyFile, "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"]);
    const [finding] = findings(listenerConfig({ file: server.certFile }, { file: join(pki.dir, "encrypted.key") }));
    expect(finding).toMatchObject({ code: "PCL4073", path: `${TLS}.privateKey` });
    expect(finding!.message).toMatch(/encrypted/);
  });

  it("refuses an expired certificate", () => {
    const expired = expiredCertificate();
    const [finding, ...rest] = findings(listenerConfig({ file: expired.certFile }, { file: expired.keyFile }));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ code: "PCL4071", severity: "error", path: `${TLS}.certificate` });
    expect(finding!.message).toMatch(/expired on \d{4}-\d\d-\d\d/);
  });

  it("refuses a CA bundle with no certificate in it", () => {
    const [finding] = findings(listenerConfig({ file: server.certFile }, { file: server.keyFile }, { file: server.keyFile }));
    expect(finding).toMatchObject({ code: "PCL4070", severity: "error", path: `${TLS}.clientCertificate.caCertificate` });
  });

  it("checks upstream client certificates and CAs the same way", () => {
    const config = listenerConfig({ file: server.certFile }, { file: server.keyFile });
    config.providers = {
      svc: { type: "service", endpoints: ["10.0.0.1:443"], tls: { caCertificate: { file: server.keyFile }, clientCertificate: { certificate: { file: server.certFile }, privateKey: { file: other.keyFile } } } },
    };
    expect(findings(config).map((f) => [f.code, f.path])).toEqual([
      ["PCL4070", "providers.svc.tls.caCertificate"],
      ["PCL4074", "providers.svc.tls.clientCertificate.privateKey"],
    ]);
  });

  it("reads and checks nothing in placeholder mode (compile, diff)", () => {
    expect(findings(listenerConfig({ file: write("junk.pem", "junk") }, { file: server.certFile }), "placeholder")).toEqual([]);
  });
});

describe("certificate validity against a clock", () => {
  const certificate = new SecretValue("file:server.pem", readFileSync(server.certFile));
  const key = new SecretValue("file:server.key", readFileSync(server.keyFile));
  const paths = { certificate: ["c"], privateKey: ["k"] };
  const at = (now: Date) => {
    const report = new Reporter("gateway.yaml");
    checkCertificateAndKey(certificate, key, paths, report, now);
    checkCaBundle(new SecretValue("file:ca.pem", readFileSync(pki.caFile)), report, ["ca"], now);
    return report.diagnostics.map((d) => [d.code, d.severity, d.path?.join(".")]);
  };
  const day = 24 * 60 * 60 * 1000;

  it("is quiet while valid, warns within 14 days of the end, and refuses before and after", () => {
    expect(at(new Date())).toEqual([]);
    expect(at(new Date(Date.now() + 20 * day))).toEqual([
      ["PCL4072", "warning", "c"],
      ["PCL4072", "warning", "ca"],
    ]);
    expect(at(new Date(Date.now() - 2 * day))).toEqual([
      ["PCL4071", "error", "c"],
      ["PCL4071", "error", "ca"],
    ]);
    expect(at(new Date(Date.now() + 40 * day))).toEqual([
      ["PCL4071", "error", "c"],
      ["PCL4071", "error", "ca"],
    ]);
  });
});
