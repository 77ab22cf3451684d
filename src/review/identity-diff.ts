/**
 * Changes to who the gateway trusts: JWT identities (issuer, audiences, key set — a new trust
 * anchor —, claim mapping, where tokens are read, clock skew) and API-key identities (where the
 * key is read, consumers).
 */
import { createHash } from "node:crypto";
import type { ApiKeyProviderIR, ApiKeySourceIR, GatewayIR, JwtProviderIR } from "../model/ir.ts";
import { type Change, change } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";
import { listed, missingFrom } from "./words.ts";

/** The keys of a local key set by `kid` (or a digest of the key when it has none); a remote set by its URL. */
function jwksKeys(jwks: JwtProviderIR["jwks"]): string[] {
  if (jwks.kind === "remote") return [`keys at ${jwks.uri}`];
  let keys: unknown[] = [];
  try {
    const parsed = JSON.parse(jwks.json) as { keys?: unknown };
    keys = Array.isArray(parsed.keys) ? parsed.keys : [];
  } catch {
    // An unreadable key set is the resolver's finding; here it is simply different.
  }
  return keys.map((key) => {
    const kid = (key as { kid?: unknown }).kid;
    return typeof kid === "string" ? `key ${kid}` : `a key without kid (${createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 12)})`;
  });
}

const sameKeys = (a: JwtProviderIR["jwks"], b: JwtProviderIR["jwks"]) => (a.kind === "local" && b.kind === "local" ? a.json === b.json : a.kind === "remote" && b.kind === "remote" && a.uri === b.uri);

function jwksChange(name: string, was: JwtProviderIR["jwks"], now: JwtProviderIR["jwks"]): string {
  const [oldKeys, newKeys] = [jwksKeys(was), jwksKeys(now)];
  const added = missingFrom(newKeys, oldKeys);
  const removed = missingFrom(oldKeys, newKeys);
  const detail = [...(added.length ? [`${added.join(", ")} added`] : []), ...(removed.length ? [`${removed.join(", ")} removed`] : [])];
  return `identity ${name}: JWKS changed${detail.length ? ` (${detail.join("; ")})` : " (same key ids, different key material)"} — a new trust anchor: tokens signed by the new keys are accepted`;
}

function jwtChanges(was: JwtProviderIR, now: JwtProviderIR, paths: ConfigPaths): Change[] {
  const at = paths.identity(now.name);
  const out: Change[] = [];
  if (was.issuer !== now.issuer) out.push(change("security", "loosens", "jwt.issuer", `identity ${now.name}: issuer changed from ${was.issuer} to ${now.issuer} — a new trust anchor`, [...at, "issuer"]));
  for (const audience of missingFrom(was.audiences, now.audiences)) {
    const open = now.audiences.length === 0;
    out.push(change("security", open ? "loosens" : "tightens", "jwt.audience-removed", `identity ${now.name}: audience ${audience} removed${open ? " — tokens for any audience are now accepted" : ""}`, [...at, "audiences"]));
  }
  for (const audience of missingFrom(now.audiences, was.audiences)) {
    out.push(change("security", "loosens", "jwt.audience-added", `identity ${now.name}: audience ${audience} added — tokens for it are now accepted`, [...at, "audiences"]));
  }
  if (!sameKeys(was.jwks, now.jwks)) out.push(change("security", "loosens", "jwt.jwks", jwksChange(now.name, was.jwks, now.jwks), [...at, "jwks"]));
  for (const claim of ["subject", "scopes", "roles", "groups"] as const) {
    if (was.claims[claim] === now.claims[claim]) continue;
    const words = (value: string | undefined) => (value === undefined ? "not read" : `claim ${value}`);
    out.push(change("security", "review", "jwt.claim-mapping", `identity ${now.name}: ${claim} now read from ${words(now.claims[claim])} (was ${words(was.claims[claim])})`, [...at, "claims"]));
  }
  const tokenPlaces = (jwt: JwtProviderIR) => [...jwt.fromHeaders.map((h) => `header ${h.name}`), ...jwt.fromParams.map((p) => `query parameter ${p}`), ...jwt.fromCookies.map((c) => `cookie ${c}`)];
  for (const place of missingFrom(tokenPlaces(now), tokenPlaces(was))) {
    out.push(change("security", place.startsWith("header") ? "review" : "loosens", "jwt.token-source", `identity ${now.name}: tokens are now also read from ${place}`, [...at, "from"]));
  }
  if (now.clockSkewSeconds > was.clockSkewSeconds) {
    out.push(change("security", "loosens", "jwt.clock-skew", `identity ${now.name}: clock skew raised from ${was.clockSkewSeconds} s to ${now.clockSkewSeconds} s (expired tokens are accepted for longer)`, [...at, "clockSkewSeconds"]));
  }
  return out;
}

const sourceWords = (source: ApiKeySourceIR) => ("header" in source ? `header ${source.header}` : `query parameter ${source.query}`);

function apiKeyChanges(was: ApiKeyProviderIR, now: ApiKeyProviderIR, paths: ConfigPaths): Change[] {
  const at = paths.identity(now.name);
  const out: Change[] = [];
  if (sourceWords(was.source) !== sourceWords(now.source)) {
    const toQuery = "query" in now.source;
    const why = toQuery ? " — keys in URLs end up in logs, browser history and Referer headers" : "";
    out.push(change("security", toQuery ? "loosens" : "review", "apiKey.source", `identity ${now.name}: API key now read from ${sourceWords(now.source)} (was ${sourceWords(was.source)})${why}`, [...at, "from"]));
  }
  const names = (provider: ApiKeyProviderIR) => provider.consumers.map((consumer) => consumer.name);
  for (const consumer of missingFrom(names(now), names(was))) out.push(change("security", "loosens", "apiKey.consumer-added", `identity ${now.name}: consumer ${consumer} added`, [...at, "consumers"]));
  for (const consumer of missingFrom(names(was), names(now))) out.push(change("security", "tightens", "apiKey.consumer-removed", `identity ${now.name}: consumer ${consumer} removed`, [...at, "consumers"]));
  return out;
}

/** Identities added, removed or changed between two gateways. */
export function identityChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const out: Change[] = [];
  const oldJwt = new Map(before.jwtProviders.map((jwt) => [jwt.name, jwt]));
  for (const jwt of after.jwtProviders) {
    const was = oldJwt.get(jwt.name);
    if (was) out.push(...jwtChanges(was, jwt, paths));
    else out.push(change("security", "loosens", "jwt.added", `identity ${jwt.name} added: tokens of issuer ${jwt.issuer} (audiences ${listed(jwt.audiences)}) — a new trust anchor`, paths.identity(jwt.name)));
  }
  for (const jwt of before.jwtProviders) if (!after.jwtProviders.some((other) => other.name === jwt.name)) out.push(change("security", "tightens", "jwt.removed", `identity ${jwt.name} removed (issuer ${jwt.issuer})`, paths.identity(jwt.name)));
  const oldKeys = new Map(before.apiKeyProviders.map((provider) => [provider.name, provider]));
  for (const provider of after.apiKeyProviders) {
    const was = oldKeys.get(provider.name);
    if (was) out.push(...apiKeyChanges(was, provider, paths));
    else out.push(change("security", "loosens", "apiKey.added", `identity ${provider.name} added: API keys in ${sourceWords(provider.source)} for consumers ${listed(provider.consumers.map((c) => c.name))}`, paths.identity(provider.name)));
  }
  for (const provider of before.apiKeyProviders) if (!after.apiKeyProviders.some((other) => other.name === provider.name)) out.push(change("security", "tightens", "apiKey.removed", `identity ${provider.name} removed`, paths.identity(provider.name)));
  return out;
}
