/**
 * A local certificate authority for development, made with the openssl CLI (Node's crypto makes
 * keys but no X.509 certificates): EC P-256 keys, certificates with the subject alternative names
 * and key usages Envoy and TLS clients check. Never for production: its CA key sits beside the config.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../errors.ts";

/** Long enough not to get in the way, short enough that a leaked development key ages out. */
const LEAF_DAYS = 365;
const CA_DAYS = 3650;
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/** A certificate and its private key, as PEM text. */
export interface KeyPair {
  readonly certificate: string;
  readonly privateKey: string;
}

export interface LeafRequest {
  readonly commonName: string;
  /** As openssl writes them: "DNS:api.example", "URI:spiffe://example/ns/a/sa/b", "IP:127.0.0.1". */
  readonly subjectAltNames: readonly string[];
  /** A server's certificate (serverAuth) or a client's (clientAuth). */
  readonly role: "server" | "client";
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === "ENOENT") throw new UserError("openssl was not found; install it (Debian/Ubuntu: apt-get install openssl) and run this again.");
    throw new UserError(`openssl ${args[0]} failed: ${failure.stderr?.toString().trim().split("\n")[0] ?? failure.message}`);
  }
}

/** Runs `make` in a private scratch directory that is removed afterwards, whatever happens. */
function inScratch<T>(make: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-dev-pki-"));
  try {
    return make(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

/** A new self-signed CA that may sign certificates and nothing else. */
export function createDevCa(name: string): KeyPair {
  return inScratch((dir) => {
    openssl(dir, [
      "req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", String(CA_DAYS), "-subj", `/CN=${name}`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    return { certificate: read(dir, "ca.pem"), privateKey: read(dir, "ca.key") };
  });
}

/** A certificate for `request`, signed by `ca`, with a fresh key. */
export function issueLeaf(ca: KeyPair, request: LeafRequest): KeyPair {
  return inScratch((dir) => {
    writeFileSync(join(dir, "ca.pem"), ca.certificate);
    writeFileSync(join(dir, "ca.key"), ca.privateKey, { mode: 0o600 });
    writeFileSync(
      join(dir, "leaf.ext"),
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        `extendedKeyUsage=${request.role === "server" ? "serverAuth" : "clientAuth"}`,
        `subjectAltName=${request.subjectAltNames.join(",")}`,
        "",
      ].join("\n"),
    );
    // A CN may not hold every character a config name can; the SANs are what TLS checks.
    const subject = `/CN=${request.commonName.replace(/[^\w.*:-]/g, "_").slice(0, 64)}`;
    openssl(dir, ["req", ...EC_KEY, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", subject]);
    openssl(dir, [
      "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", `0x${randomBytes(16).toString("hex")}`,
      "-days", String(LEAF_DAYS), "-extfile", "leaf.ext", "-out", "leaf.pem",
    ]);
    return { certificate: read(dir, "leaf.pem"), privateKey: read(dir, "leaf.key") };
  });
}
