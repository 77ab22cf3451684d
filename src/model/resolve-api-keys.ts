import type { ApiKeyIdentity, Identity } from "../config/types.ts";
import type { ModelPath } from "../config/locate.ts";
import type { ApiKeyConsumerIR, ApiKeyProviderIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { apiKeySource } from "./resolve-access.ts";
import { readSecret, type SecretSource } from "./secrets.ts";
import { SecretValue } from "./secret-value.ts";

/** Shorter keys can be guessed or brute-forced; 128 bits of base64 or hex is at least this long. */
const MIN_KEY_LENGTH = 16;

/** Visible ASCII only: a key travels in a header or a query string and is compared byte for byte. */
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * The keys of a key file or variable: one per line; blank lines and `#` comments are skipped so
 * a key file can say whose key is whose and when it was issued.
 */
function keyLines(value: SecretValue): string[] {
  return new TextDecoder()
    .decode(value.reveal())
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

interface KeyOwner {
  readonly identity: string;
  readonly consumer: string;
}

function consumerKeys(owner: KeyOwner, path: ModelPath, keys: SecretValue, owners: Map<string, KeyOwner>, report: Reporter): SecretValue[] {
  const lines = keyLines(keys);
  if (lines.length === 0) {
    if (keys.reveal().length > 0) report.error("PCL4030", `${keys.source} holds no API key (only blank lines or # comments).`, path, "Write one key per line.");
    return [];
  }
  return lines.flatMap((key, line) => {
    const where = `${keys.source}, key ${line + 1}`;
    if (!KEY_CHARACTERS.test(key)) {
      report.error("PCL4030", `${where} has a space or a character outside visible ASCII, which a header or query string cannot carry as written.`, path, "Use keys of letters, digits and punctuation, e.g. from `openssl rand -base64 32`.");
      return [];
    }
    if (key.length < MIN_KEY_LENGTH) {
      report.warning("PCL4033", `${where} is shorter than ${MIN_KEY_LENGTH} characters, short enough to guess.`, path, "Issue keys of at least 128 random bits, e.g. `openssl rand -base64 32`.");
    }
    const earlier = owners.get(key);
    if (earlier) {
      report.error("PCL4030", `${where} is also a key of consumer ${earlier.consumer} (identity ${earlier.identity}): a shared key cannot tell the callers apart.`, path, "Give every consumer keys of its own.");
      return [];
    }
    owners.set(key, owner);
    return [new SecretValue(`${keys.source}#${line + 1}`, new TextEncoder().encode(key))];
  });
}

function provider(name: string, identity: ApiKeyIdentity, owners: Map<string, KeyOwner>, consumerIdentity: Map<string, string>, source: SecretSource, report: Reporter): ApiKeyProviderIR {
  const consumers: ApiKeyConsumerIR[] = identity.consumers.map((consumer, index) => {
    const other = consumerIdentity.get(consumer.name);
    if (other !== undefined && other !== name) {
      report.error("PCL4031", `Consumer "${consumer.name}" is also a consumer of identity "${other}": consumer names identify callers in access rules, logs and budgets, so they must be unique.`, ["identities", name, "consumers", index, "name"], "Rename one of them.");
    }
    consumerIdentity.set(consumer.name, name);
    const path: ModelPath = ["identities", name, "consumers", index, "keys"];
    const secret = readSecret(consumer.keys, source, report, path);
    // compile and diff never read keys: their output has none to leak.
    const keys = source.mode === "placeholder" ? [] : consumerKeys({ identity: name, consumer: consumer.name }, path, secret, owners, report);
    return { name: consumer.name, ...(consumer.team ? { team: consumer.team } : {}), keys };
  });
  return {
    name,
    source: apiKeySource(identity),
    consumers: consumers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** API-key identities as api_key_auth credentials: keys are read (serve, up, validate) and checked. */
export function resolveApiKeyProviders(identities: Readonly<Record<string, Identity>>, source: SecretSource, report: Reporter): ApiKeyProviderIR[] {
  const owners = new Map<string, KeyOwner>();
  const consumerIdentity = new Map<string, string>();
  return Object.keys(identities)
    .sort()
    .flatMap((name) => {
      const identity = identities[name];
      return identity?.type === "apiKey" ? [provider(name, identity, owners, consumerIdentity, source, report)] : [];
    });
}
