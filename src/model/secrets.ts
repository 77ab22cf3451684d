import { readFileSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { SecretRef } from "../config/types.ts";
import type { ModelPath } from "../config/locate.ts";
import { checkCaBundle, checkCertificateAndKey } from "./certificate-checks.ts";
import type { Reporter } from "./report.ts";
import { SecretValue } from "./secret-value.ts";

/**
 * How secrets are treated: `read` reads env vars and files (serve, validate); `placeholder`
 * never touches them and uses empty bytes — for `compile`/`diff`, whose output never holds
 * secret bytes anyway, so CI needs no production secrets.
 */
export type SecretMode = "read" | "placeholder";

export interface SecretSource {
  readonly mode: SecretMode;
  /** Directory file references are relative to (the config file's). */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Collects every file the config names (read or not), so `serve --watch` can follow them. */
  readonly files?: Set<string>;
}

function describe(ref: SecretRef): string {
  return "env" in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

/** Reads one secret reference; reports (without the value) and returns empty bytes when it cannot. */
export function readSecret(ref: SecretRef, source: SecretSource, report: Reporter, path: ModelPath): SecretValue {
  const name = describe(ref);
  if (source.mode === "placeholder") return new SecretValue(name, new Uint8Array());
  if ("env" in ref) {
    const value = source.env[ref.env];
    if (value === undefined || value === "") {
      report.error("PCL4001", `Environment variable ${ref.env} is not set, so the secret cannot be read.`, path, `Set ${ref.env} in the environment of the process that compiles or serves the gateway.`);
      return new SecretValue(name, new Uint8Array());
    }
    return new SecretValue(name, new TextEncoder().encode(value));
  }
  const file = isAbsolute(ref.file) ? ref.file : resolvePath(source.baseDir, ref.file);
  source.files?.add(file);
  try {
    const bytes = new Uint8Array(readFileSync(file));
    // Same rule as an empty environment variable: Envoy would only say "incomplete key" later.
    if (bytes.length === 0) report.error("PCL4001", `Secret file ${ref.file} is empty.`, path, "Write the secret (PEM certificate, key or key list) into the file.");
    return new SecretValue(name, bytes);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    report.error("PCL4001", `Secret file ${ref.file} cannot be read (${reason}).`, path, "Check the path; it is relative to the config file.");
    return new SecretValue(name, new Uint8Array());
  }
}

/** A certificate chain and its private key, read and checked as a pair (see certificate-checks.ts). */
export function readCertificateAndKey(
  refs: { readonly certificate: SecretRef; readonly privateKey: SecretRef },
  source: SecretSource,
  report: Reporter,
  path: ModelPath,
): { certificate: SecretValue; privateKey: SecretValue } {
  const paths = { certificate: [...path, "certificate"], privateKey: [...path, "privateKey"] };
  const certificate = readSecret(refs.certificate, source, report, paths.certificate);
  const privateKey = readSecret(refs.privateKey, source, report, paths.privateKey);
  // An unreadable or empty one was reported already; placeholders have no bytes to check.
  if (certificate.reveal().length > 0 && privateKey.reveal().length > 0) checkCertificateAndKey(certificate, privateKey, paths, report);
  return { certificate, privateKey };
}

/** A PEM bundle of CA certificates, read and checked. */
export function readCaBundle(ref: SecretRef, source: SecretSource, report: Reporter, path: ModelPath): SecretValue {
  const bundle = readSecret(ref, source, report, path);
  if (bundle.reveal().length > 0) checkCaBundle(bundle, report, path);
  return bundle;
}
