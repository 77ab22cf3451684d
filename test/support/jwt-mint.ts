import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/** base64url of a JSON value, or of raw bytes. */
export const b64url = (value: object | Buffer | string) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(typeof value === "string" ? value : JSON.stringify(value))).toString("base64url");

/** An RSA key pair and the JWKS entry that publishes its public half under `kid`. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

export function rsaSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

/** A compact JWS from a header and payload, RS256-signed with `key` (or HS256 with a secret, or unsigned). */
export function mintJwt(header: Record<string, unknown>, payload: Record<string, unknown>, signer: { rsa: KeyObject } | { hmac: Buffer | string } | "unsigned"): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  if (signer === "unsigned") return `${signingInput}.`;
  const signature = "rsa" in signer ? sign("sha256", Buffer.from(signingInput), signer.rsa) : createHmac("sha256", signer.hmac).update(signingInput).digest();
  return `${signingInput}.${b64url(signature)}`;
}

/** The claims of a token that is valid now for `issuer` and `audience`, with `overrides` on top (undefined removes a claim). */
export function claimsValidNow(issuer: string, audience: string | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { iss: issuer, aud: audience, sub: "alice", iat: now, nbf: now, exp: now + 600, ...overrides };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  return claims;
}

/** A valid RS256 token of `key` for `issuer` (and `audience`), with `claims` on top. */
export function signedToken(key: SigningKey, issuer: string, audience: string | undefined, claims: Record<string, unknown> = {}): string {
  return mintJwt({ alg: "RS256", typ: "JWT", kid: key.kid }, claimsValidNow(issuer, audience, claims), { rsa: key.privateKey });
}
