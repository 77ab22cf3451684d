/**
 * Token attacks on a JWT-protected route, through real Envoy: each forged, altered or misplaced
 * token gets its exact answer (status, and the reason Envoy's jwt_authn or RBAC gives in the
 * problem+json body), never reaches the backend, and is never echoed back. Tokens are minted here
 * with node:crypto; the gateway verifies them against a local JWKS holding one RSA key (kid k1).
 * An attacker's JWKS server records every fetch: the gateway must never ask it for keys.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { b64url, claimsValidNow, mintJwt, rsaSigningKey } from "../support/jwt-mint.ts";
import { rawExchange } from "../support/raw-http.ts";
import { ADMIN_PATH, SECURITY_AUDIENCE, SECURITY_HOST, SECURITY_ISSUER, securityGatewayForThisFile } from "../support/security-gateway.ts";

const gateway = securityGatewayForThisFile();
let attackerJwks: Server;
let attackerUrl = "";
const attackerFetches: string[] = [];
const attacker = rsaSigningKey("evil");

beforeAll(async () => {
  attackerJwks = createServer((request, response) => {
    attackerFetches.push(request.url ?? "");
    response.end(JSON.stringify({ keys: [attacker.jwk, { ...attacker.jwk, kid: "k1" }] }));
  });
  await new Promise<void>((resolve) => attackerJwks.listen(0, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${(attackerJwks.address() as AddressInfo).port}/jwks.json`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => attackerJwks?.close(resolve));
});

const now = () => Math.floor(Date.now() / 1000);
/** Claims the admin route admits, changed by `overrides` (undefined removes a claim). */
const admin = (overrides: Record<string, unknown> = {}) => claimsValidNow(SECURITY_ISSUER, SECURITY_AUDIENCE, { roles: ["admin"], ...overrides });
/** RS256 with kid k1 unless `header` says otherwise, signed with the gateway's key unless another is given. */
const rs256 = (header: Record<string, unknown>, claims: Record<string, unknown>, key = gateway().signing.privateKey) => mintJwt({ alg: "RS256", typ: "JWT", kid: "k1", ...header }, claims, { rsa: key });
const hs256 = (secret: Buffer | string) => mintJwt({ alg: "HS256", typ: "JWT", kid: "k1" }, admin(), { hmac: secret });
/** A token whose signature is valid for other claims: a user's token with an admin's payload. */
function tampered(): string {
  const [header, , signature] = rs256({}, admin({ roles: ["user"] })).split(".");
  return `${header}.${b64url(admin())}.${signature}`;
}
const withoutSignature = (token: string) => token.split(".").slice(0, 2).join(".");

const MALFORMED = "jwt_authn_access_denied{Jwt_is_not_in_the_form_of_Header.Payload.Signature_with_two_dots_and_3_sections}";
const NO_KEY = "jwt_authn_access_denied{Jwks_doesn't_have_key_to_match_kid_or_alg_from_Jwt}";
const BAD_SIGNATURE = "jwt_authn_access_denied{Jwt_verification_fails}";

interface Attack {
  readonly name: string;
  /** The Authorization header values sent, one line each ("Bearer " included). */
  readonly authorization: () => string[];
  /** Where the token goes instead of a header, for the query-string case. */
  readonly query?: () => string;
  readonly status: number;
  /** %RESPONSE_CODE_DETAILS% from the problem+json body; null where Envoy's codec answered without one. */
  readonly reason: string | null;
  readonly reached?: true;
}

const bearer = (token: () => string) => () => [`Bearer ${token()}`];

const ATTACKS: Attack[] = [
  // Controls: the route takes the right token, and RBAC refuses a valid token without the role.
  { name: "a valid admin token (control)", authorization: bearer(() => gateway().adminToken()), status: 200, reason: null, reached: true },
  { name: "a valid token without the admin role (control)", authorization: bearer(() => rs256({}, admin({ roles: ["user"] }))), status: 403, reason: "rbac_access_denied_matched_policy[none]" },
  // Unsigned tokens.
  { name: "alg none", authorization: bearer(() => mintJwt({ alg: "none", typ: "JWT" }, admin(), "unsigned")), status: 401, reason: MALFORMED },
  { name: "alg None with the right kid", authorization: bearer(() => mintJwt({ alg: "None", typ: "JWT", kid: "k1" }, admin(), "unsigned")), status: 401, reason: MALFORMED },
  { name: "a valid token with its signature stripped (header.payload.)", authorization: bearer(() => `${withoutSignature(gateway().adminToken())}.`), status: 401, reason: MALFORMED },
  { name: "a valid token without its signature segment (header.payload)", authorization: bearer(() => withoutSignature(gateway().adminToken())), status: 401, reason: MALFORMED },
  // Claims.
  { name: "another issuer", authorization: bearer(() => rs256({}, admin({ iss: "https://evil.test/" }))), status: 401, reason: "jwt_authn_access_denied{Jwt_issuer_is_not_configured}" },
  { name: "another audience (Envoy answers 403)", authorization: bearer(() => rs256({}, admin({ aud: "billing" }))), status: 403, reason: "jwt_authn_access_denied{Audiences_in_Jwt_are_not_allowed}" },
  { name: "expired an hour ago", authorization: bearer(() => rs256({}, admin({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }))), status: 401, reason: "jwt_authn_access_denied{Jwt_is_expired}" },
  { name: "not valid for another hour (nbf beyond the 60 s skew)", authorization: bearer(() => rs256({}, admin({ nbf: now() + 3600 }))), status: 401, reason: "jwt_authn_access_denied{Jwt_not_yet_valid}" },
  { name: "no exp claim (require_expiration)", authorization: bearer(() => rs256({}, admin({ exp: undefined }))), status: 401, reason: BAD_SIGNATURE },
  // Keys.
  { name: "an unknown kid, signed by the attacker", authorization: bearer(() => rs256({ kid: "evil" }, admin(), attacker.privateKey)), status: 401, reason: NO_KEY },
  { name: "an unknown kid, signed by the gateway's key", authorization: bearer(() => rs256({ kid: "unknown" }, admin())), status: 401, reason: NO_KEY },
  { name: "the right kid, signed by the attacker", authorization: bearer(() => rs256({}, admin(), attacker.privateKey)), status: 401, reason: BAD_SIGNATURE },
  { name: "HS256 with the RSA public key (PEM) as the HMAC secret", authorization: bearer(() => hs256(gateway().signing.publicKey.export({ format: "pem", type: "spki" }))), status: 401, reason: NO_KEY },
  { name: "HS256 with the RSA public key (DER) as the HMAC secret", authorization: bearer(() => hs256(gateway().signing.publicKey.export({ format: "der", type: "spki" }))), status: 401, reason: NO_KEY },
  { name: "HS256 with the JWK's modulus as the HMAC secret", authorization: bearer(() => hs256(String(gateway().signing.jwk["n"]))), status: 401, reason: NO_KEY },
  { name: "jku pointing at the attacker's JWKS", authorization: bearer(() => rs256({ kid: "evil", jku: attackerUrl }, admin(), attacker.privateKey)), status: 401, reason: NO_KEY },
  { name: "jku pointing at the attacker's JWKS, kid k1", authorization: bearer(() => rs256({ jku: attackerUrl }, admin(), attacker.privateKey)), status: 401, reason: BAD_SIGNATURE },
  { name: "x5u pointing at the attacker", authorization: bearer(() => rs256({ kid: "evil", x5u: attackerUrl }, admin(), attacker.privateKey)), status: 401, reason: NO_KEY },
  { name: "the attacker's key embedded as jwk", authorization: bearer(() => rs256({ kid: "evil", jwk: attacker.jwk }, admin(), attacker.privateKey)), status: 401, reason: NO_KEY },
  { name: "a valid signature over another payload (user token, admin claims)", authorization: bearer(tampered), status: 401, reason: BAD_SIGNATURE },
  // Size and placement.
  { name: "a 40 KiB token (under the header limit)", authorization: bearer(() => rs256({}, admin({ padding: "a".repeat(30 * 1024) }), attacker.privateKey)), status: 401, reason: BAD_SIGNATURE },
  { name: "an 80 KiB token (over the 60 KiB header limit)", authorization: () => [`Bearer ${"a".repeat(80 * 1024)}`], status: 431, reason: null },
  // Envoy joins repeated Authorization headers with a comma: the value is then no token at all.
  { name: "two Authorization headers: valid, then garbage", authorization: () => [`Bearer ${gateway().adminToken()}`, "Bearer garbage"], status: 401, reason: "jwt_authn_access_denied{Jwt_signature_is_an_invalid_Base64url_encoded}" },
  { name: "two Authorization headers: garbage, then valid", authorization: () => ["Bearer garbage", `Bearer ${gateway().adminToken()}`], status: 401, reason: "jwt_authn_access_denied{Jwt_header_is_an_invalid_Base64url_encoded}" },
  { name: "two Authorization headers, both valid for different subjects", authorization: () => [`Bearer ${gateway().adminToken()}`, `Bearer ${gateway().adminToken({ sub: "mallory" })}`], status: 401, reason: MALFORMED },
  // The identity reads only `Authorization: Bearer`; Envoy's default access_token parameter is not a source.
  { name: "a valid token in the access_token query parameter", authorization: () => [], query: () => `access_token=${gateway().adminToken()}`, status: 401, reason: "jwt_authn_access_denied{Jwt_is_missing}" },
];

interface Answer {
  status: number;
  reason: string | null;
  reached: boolean;
  /** The whole response, headers included. */
  text: string;
  /** The segments of every token sent (long enough to be unmistakable). */
  secrets: string[];
}

let sequence = 0;
async function send(attack: Pick<Attack, "authorization" | "query">): Promise<Answer> {
  const path = `${ADMIN_PATH}/jwt-${++sequence}`;
  const values = attack.authorization();
  const query = attack.query?.();
  const lines = values.map((value) => `Authorization: ${value}\r\n`).join("");
  const exchange = await rawExchange(gateway().port, `GET ${path}${query ? `?${query}` : ""} HTTP/1.1\r\nHost: ${SECURITY_HOST}\r\n${lines}Connection: close\r\n\r\n`);
  const response = exchange.responses[0];
  let reason: string | null = null;
  try {
    reason = (JSON.parse(response?.body ?? "") as { reason?: string }).reason ?? null;
  } catch {
    // Not a problem+json body: the codec's own answer, or the backend's.
  }
  const tokens = [...values.map((value) => value.replace(/^Bearer /, "")), ...(query ? [query.split("=")[1]!] : [])];
  const secrets = tokens.flatMap((token) => token.split(".")).filter((segment) => segment.length >= 16 && !/^a+$/.test(segment));
  return { status: response?.status ?? 0, reason: response?.status === 200 ? null : reason, reached: gateway().backend.received.some((request) => request.path.startsWith(path)), text: exchange.text, secrets };
}

const echoed = (answer: Answer) => answer.secrets.filter((secret) => answer.text.includes(secret));

describe("JWT attacks through real Envoy", () => {
  it.each(ATTACKS)("$name → $status", async (attack) => {
    const answer = await send(attack);
    const headerOnly = attack.query === undefined;
    expect({ status: answer.status, reason: answer.reason, reached: answer.reached, echoed: headerOnly && answer.status !== 200 ? echoed(answer) : [] }).toEqual({
      status: attack.status,
      reason: attack.reason,
      reached: attack.reached ?? false,
      echoed: [],
    });
  });

  it("a verified claim holding a line break cannot inject a header: Envoy refuses to build it (503) and the backend gets nothing", async () => {
    const answer = await send({ authorization: bearer(() => rs256({}, admin({ sub: "alice\r\nx-portcullis-roles: root" }))) });
    expect({ status: answer.status, reached: answer.reached, body: answer.text.split("\r\n\r\n")[1] }).toEqual({ status: 503, reached: false, body: "invalid header value for: x-portcullis-subject" });
  });

  it("never fetched keys from a URL a token named, and never forwarded a token to the backend", () => {
    expect(attackerFetches).toEqual([]);
    expect(gateway().backend.received.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
  });

  // jwt_authn's own 401 names its realm with the request URL, query string included, which would
  // reflect a token sent in the query; the gateway's local-reply mapper replaces that challenge.
  it("a 401 never echoes a token sent in the query string (WWW-Authenticate realm)", async () => {
    const answer = await send({ authorization: () => [], query: () => `access_token=${gateway().adminToken()}` });
    expect({ status: answer.status, echoed: echoed(answer) }).toEqual({ status: 401, echoed: [] });
  });

  // RFC 7515 §4.1.11: a JWS whose `crit` header lists an extension the recipient does not
  // understand must be rejected. Envoy's jwt_authn ignores `crit` and admits the token; the access
  // rules read the verified token's header (header_in_metadata) and admit no token that has one.
  it("a token with a critical header extension (crit) is refused by the access rules, and the same token without crit is admitted", async () => {
    const critical = await send({ authorization: bearer(() => rs256({ crit: ["https://auth.test/bound-ip"], "https://auth.test/bound-ip": "10.0.0.1" }, admin())) });
    const plain = await send({ authorization: bearer(() => rs256({ "https://auth.test/bound-ip": "10.0.0.1" }, admin())) });
    expect({ critical: { status: critical.status, reached: critical.reached }, plain: plain.status }).toEqual({ critical: { status: 403, reached: false }, plain: 200 });
  });
});
