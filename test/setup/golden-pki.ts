/**
 * vitest global setup: the TLS material the golden cases reference (test/golden/_pki) is made
 * here, on each machine, instead of committing a private key. Golden output never depends on it
 * (Secret bytes print as [redacted]); real Envoy validation and the secret-redaction test read it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const pkiDir = join(import.meta.dirname, "..", "golden", "_pki");
const files = ["ca.crt", "server.crt", "server.key"] as const;
const SERVER_SANS = "DNS:localhost,DNS:api.example.com,URI:spiffe://example.org/ns/shop/sa/orders";
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

export default function setup(): void {
  if (files.every((file) => existsSync(join(pkiDir, file)))) return;
  const work = mkdtempSync(join(tmpdir(), "portcullis-golden-pki-"));
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
  try {
    openssl(["req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=portcullis-golden-test-ca"]);
    writeFileSync(join(work, "server.ext"), `subjectAltName=${SERVER_SANS}\n`);
    openssl(["req", ...EC_KEY, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
    openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "3650", "-extfile", "server.ext"]);
    // The CA key stays behind in the temp dir and is deleted with it.
    for (const file of files) renameSync(join(work, file), join(pkiDir, file));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
