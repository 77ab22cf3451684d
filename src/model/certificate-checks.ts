/**
 * What Envoy would refuse (or serve and then fail handshakes with) in the TLS material a config
 * names: a file with no certificate, a private key it cannot load, a key that does not belong to
 * its certificate, a certificate that has expired or is not valid yet. Run only when secrets are
 * read (serve, up, validate). Findings name the secret by where it comes from (`file:…`,
 * `env:…`) and never quote its bytes.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import type { ModelPath } from "../config/locate.ts";
import type { Reporter } from "./report.ts";
import type { SecretValue } from "./secret-value.ts";

/** How close to expiry a certificate gets a warning: enough time to rotate it. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle in order; undefined for a block that does not parse. */
function certificates(value: SecretValue): (X509Certificate | undefined)[] {
  const text = Buffer.from(value.reveal()).toString("latin1");
  return (text.match(PEM_CERTIFICATE) ?? []).map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      return undefined;
    }
  });
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

type Validity = { readonly state: "expired" | "not-yet-valid" | "expires-soon" | "valid"; readonly date: Date };

function validity(certificate: X509Certificate, now: Date): Validity {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) return { state: "expired", date: notAfter };
  if (notBefore.getTime() > now.getTime()) return { state: "not-yet-valid", date: notBefore };
  if (notAfter.getTime() - now.getTime() <= EXPIRY_WARNING_DAYS * DAY_MS) return { state: "expires-soon", date: notAfter };
  return { state: "valid", date: notAfter };
}

const RENEW = "Issue a new certificate and point the config at it; serve --watch picks up rotated files.";

/** Reports a validity outside the period (error) or close to its end (warning); `what` names the certificate. */
function reportValidity({ state, date }: Validity, what: string, report: Reporter, path: ModelPath): void {
  if (state === "expired") report.error("PCL4071", `${what} expired on ${day(date)}: every TLS handshake that relies on it would fail.`, path, RENEW);
  if (state === "not-yet-valid") report.error("PCL4071", `${what} is not valid until ${day(date)}: every TLS handshake that relies on it would fail until then.`, path, "Check the clock of the machine that issued it, or serve it once it is valid.");
  if (state === "expires-soon") report.warning("PCL4072", `${what} expires on ${day(date)}, within ${EXPIRY_WARNING_DAYS} days.`, path, RENEW);
}

/** The first certificate of a chain, checked; undefined (reported) when there is none. */
function leafCertificate(value: SecretValue, now: Date, report: Reporter, path: ModelPath): X509Certificate | undefined {
  const [leaf] = certificates(value);
  if (!leaf) {
    report.error("PCL4070", `${value.source} holds no PEM certificate Envoy can load (it needs a "-----BEGIN CERTIFICATE-----" block).`, path, "Point the reference at the PEM certificate chain, leaf certificate first.");
    return undefined;
  }
  reportValidity(validity(leaf, now), `The certificate in ${value.source}`, report, path);
  return leaf;
}

function privateKey(value: SecretValue, report: Reporter, path: ModelPath): KeyObject | undefined {
  try {
    return createPrivateKey({ key: Buffer.from(value.reveal()), format: "pem" });
  } catch (error) {
    // Node's own reason may quote what it parsed: only its kind is told.
    const encrypted = /passphrase/i.test((error as Error).message);
    const reason = encrypted ? "is encrypted with a passphrase, which Envoy cannot be given" : "holds no PEM private key Envoy can load";
    report.error("PCL4073", `${value.source} ${reason}.`, path, encrypted ? "Store the key unencrypted (e.g. `openssl pkey -in key.pem -out plain.pem`) and protect the file instead." : 'Point the reference at the PEM private key ("-----BEGIN PRIVATE KEY-----" or an RSA/EC key block).');
    return undefined;
  }
}

export interface TlsPairPaths {
  readonly certificate: ModelPath;
  readonly privateKey: ModelPath;
}

/** A certificate chain and its private key: each loadable, the certificate valid now, and the two a pair. */
export function checkCertificateAndKey(certificate: SecretValue, key: SecretValue, paths: TlsPairPaths, report: Reporter, now = new Date()): void {
  const leaf = leafCertificate(certificate, now, report, paths.certificate);
  const loaded = privateKey(key, report, paths.privateKey);
  if (leaf && loaded && !leaf.checkPrivateKey(loaded)) {
    report.error("PCL4074", `The private key in ${key.source} does not belong to the certificate in ${certificate.source}: Envoy would reject the pair.`, paths.privateKey, "Use the key the certificate was issued for (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`).");
  }
}

/** A CA bundle: at least one certificate, and at least one that is valid now. */
export function checkCaBundle(bundle: SecretValue, report: Reporter, path: ModelPath, now = new Date()): void {
  const all = certificates(bundle).filter((certificate) => certificate !== undefined);
  if (all.length === 0) {
    report.error("PCL4070", `${bundle.source} holds no PEM certificate Envoy can load, so no peer certificate could be verified.`, path, 'Point the reference at a PEM bundle of CA certificates ("-----BEGIN CERTIFICATE-----" blocks).');
    return;
  }
  // The bundle works while one CA in it is valid: report the one that lasts longest.
  const best = all.map((certificate) => validity(certificate, now)).sort((a, b) => rankOf(a) - rankOf(b) || b.date.getTime() - a.date.getTime())[0]!;
  reportValidity(best, all.length === 1 ? `The CA certificate in ${bundle.source}` : `The longest-valid CA certificate in ${bundle.source}`, report, path);
}

const RANK: Record<Validity["state"], number> = { valid: 0, "expires-soon": 1, "not-yet-valid": 2, expired: 3 };

function rankOf(validity: Validity): number {
  return RANK[validity.state];
}
