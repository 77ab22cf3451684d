/**
 * Whether Envoy's jwt_authn can verify tokens with a JWKS document: the rules of its key loader
 * (source/common/jwt/jwks.cc), which skips keys it cannot use and, when none is left, logs a
 * warning and answers every token with 401 instead of refusing the config. Finding that here
 * turns "every JWT route is 401" into a located error. A JWKS holds public keys only, so findings
 * may name a key by its index and kid.
 */
import { createPublicKey, X509Certificate, type JsonWebKey } from "node:crypto";
import type { ModelPath } from "../config/locate.ts";
import type { Reporter } from "./report.ts";

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function base64url(value: unknown): Buffer | undefined {
  return typeof value === "string" && BASE64URL.test(value) ? Buffer.from(value, "base64url") : undefined;
}

function publicKeyLoads(jwk: JsonWebKey): boolean {
  try {
    createPublicKey({ key: jwk, format: "jwk" });
    return true;
  } catch {
    return false;
  }
}

const EC_CURVES: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

function rsaProblem(key: Record<string, unknown>, alg: string): string | undefined {
  // Envoy compares only the first two letters, so RSA-OAEP (an encryption key) passes this test.
  if (alg && !/^(RS|PS)/.test(alg)) return `its alg "${alg}" is not an RSA signature algorithm (RS256…, PS256…)`;
  const e = base64url(key["e"]);
  const n = base64url(key["n"]);
  if (!n?.length || !e?.length) return 'its "n" or "e" is missing or not base64url';
  const exponent = e.length <= 4 ? e.readUIntBE(0, Math.max(e.length, 1)) : 0;
  if (exponent !== 3 && exponent !== 65537) return "its public exponent is neither 3 nor 65537";
  if (n[n.length - 1]! % 2 === 0) return "its modulus is even, so it is no RSA modulus";
  return publicKeyLoads({ kty: "RSA", n: key["n"] as string, e: key["e"] as string }) ? undefined : "it is not a valid RSA public key";
}

function ecProblem(key: Record<string, unknown>, alg: string): string | undefined {
  if (alg && !alg.startsWith("ES")) return `its alg "${alg}" is not an ECDSA algorithm (ES256, ES384, ES512)`;
  if (key["crv"] !== undefined && typeof key["crv"] !== "string") return 'its "crv" is not a string';
  const crv = (key["crv"] as string | undefined) ?? "";
  if (alg && crv && EC_CURVES[alg] !== crv) return `its alg "${alg}" does not go with curve "${crv}"`;
  const curve = EC_CURVES[alg] ?? (crv || "P-256");
  if (!Object.values(EC_CURVES).includes(curve)) return `its curve "${curve}" is not one Envoy supports (P-256, P-384, P-521)`;
  if (!base64url(key["x"]) || !base64url(key["y"])) return 'its "x" or "y" is missing or not base64url';
  return publicKeyLoads({ kty: "EC", crv: curve, x: key["x"] as string, y: key["y"] as string }) ? undefined : `it is not a point on ${curve}`;
}

function octProblem(key: Record<string, unknown>, alg: string): string | undefined {
  if (alg && !["HS256", "HS384", "HS512"].includes(alg)) return `its alg "${alg}" is not an HMAC algorithm (HS256, HS384, HS512)`;
  return base64url(key["k"])?.length ? undefined : 'its "k" is missing, empty or not base64url';
}

function okpProblem(key: Record<string, unknown>, alg: string): string | undefined {
  if (alg && alg !== "EdDSA") return `its alg "${alg}" is not EdDSA`;
  if (key["crv"] !== "Ed25519") return `its curve ${JSON.stringify(key["crv"] ?? null)} is not Ed25519, the only OKP curve Envoy verifies`;
  return base64url(key["x"])?.length === 32 ? undefined : 'its "x" is not a base64url Ed25519 public key (32 bytes)';
}

/** Why Envoy would skip this entry of `keys`, or undefined when it can verify with it. */
function keyProblem(entry: unknown): string | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return "it is not a JSON object";
  const key = entry as Record<string, unknown>;
  if (typeof key["kty"] !== "string") return 'it has no "kty" string';
  const alg = typeof key["alg"] === "string" ? key["alg"] : "";
  switch (key["kty"]) {
    case "RSA":
      return rsaProblem(key, alg);
    case "EC":
      return ecProblem(key, alg);
    case "oct":
      return octProblem(key, alg);
    case "OKP":
      return okpProblem(key, alg);
    default:
      return `its kty "${key["kty"]}" is not one Envoy verifies with (RSA, EC, oct, OKP)`;
  }
}

const PEM_PREFIX = "-----BEGIN CERTIFICATE-----\n";
const PEM_SUFFIX = "\n-----END CERTIFICATE-----\n";

/** Envoy also takes `{ "kid": "<PEM certificate>", … }` (Google's format): every value an RSA certificate. */
function x509MapProblem(document: Record<string, unknown>): string | undefined {
  for (const [kid, value] of Object.entries(document)) {
    try {
      if (typeof value !== "string" || !value.startsWith(PEM_PREFIX) || !value.endsWith(PEM_SUFFIX)) return `it has no "keys" array`;
      if (new X509Certificate(value).publicKey.asymmetricKeyType !== "rsa") return `the certificate of kid "${kid}" has no RSA key`;
    } catch {
      return `the certificate of kid "${kid}" cannot be parsed`;
    }
  }
  return Object.keys(document).length === 0 ? 'it has no "keys" array' : undefined;
}

/**
 * Checks a JWKS document as Envoy would load it. Returns true when Envoy can verify tokens with
 * it; reports an error (PCL4075) when it cannot, and a warning (PCL4076) per key Envoy would skip.
 */
export function checkJwks(text: string, file: string, report: Reporter, path: ModelPath): boolean {
  const unusable = (why: string) => {
    report.error("PCL4075", `JWKS file ${file} ${why}, so Envoy would verify no token and every route of this identity would answer 401.`, path, "Write the issuer's public keys as a JSON Web Key Set: {\"keys\": [{\"kty\": \"RSA\", \"kid\": …, \"n\": …, \"e\": …}]}.");
    return false;
  };
  if (text.trim() === "") return unusable("is empty");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return unusable("is not JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) return unusable("is not a JSON object");
  const keys = (document as Record<string, unknown>)["keys"];
  if (keys === undefined) {
    const problem = x509MapProblem(document as Record<string, unknown>);
    return problem ? unusable(problem) : true;
  }
  if (!Array.isArray(keys)) return unusable('has a "keys" that is not an array');
  const problems = keys.map(keyProblem);
  if (problems.every((problem) => problem !== undefined)) return unusable(keys.length === 0 ? "has no keys" : "holds no key Envoy can use");
  problems.forEach((problem, index) => {
    if (!problem) return;
    const kid = (keys[index] as { kid?: unknown } | null)?.kid;
    const name = `key ${index + 1}${typeof kid === "string" ? ` (kid "${kid}")` : ""}`;
    report.warning("PCL4076", `JWKS file ${file}: Envoy skips ${name}, because ${problem}; tokens signed with it would be rejected.`, path, "Fix or remove that key; the other keys still verify tokens.");
  });
  return true;
}
