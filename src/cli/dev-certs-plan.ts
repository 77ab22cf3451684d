/**
 * What `portcullis dev-certs` makes for a config, read from the config itself: every certificate,
 * key, CA bundle and API-key file it names, and the environment variables it reads. Pure: the
 * command writes what this plans.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { GatewayConfig, SecretRef } from "../config/types.ts";
import type { LeafRequest } from "../dev/dev-pki.ts";

/** A file the config names that dev-certs can write, with what it is for (said in the output). */
export type DevFile =
  /** A CA bundle: the development CA's certificate. */
  | { readonly kind: "ca"; readonly path: string; readonly purposes: string[] }
  | { readonly kind: "pair"; readonly certificate: string; readonly privateKey: string; readonly request: LeafRequest; readonly purposes: string[] }
  | { readonly kind: "api-key"; readonly path: string; readonly purposes: string[] };

/** An environment variable the config reads: a made-up API key, or a placeholder the user replaces. */
export interface DevVariable {
  readonly name: string;
  readonly value: "api-key" | "placeholder";
  readonly purpose: string;
}

export interface DevCertsPlan {
  /** The directory of the development CA (dev-ca.pem, dev-ca.key) and dev.env: where the config's first secret is. */
  readonly home: string;
  readonly files: DevFile[];
  readonly variables: DevVariable[];
  /** Secrets dev-certs leaves to the user, and why. */
  readonly skipped: { readonly what: string; readonly why: string }[];
}

const isFile = (ref: SecretRef | undefined): ref is { file: string } => ref !== undefined && "file" in ref;

/** DNS names as a certificate carries them; an IP address is an IP SAN. */
function hostSan(host: string): string {
  return /^[\d.]+$|:/.test(host) ? `IP:${host.replace(/^\[|\]$/g, "")}` : `DNS:${host}`;
}

class Planner {
  readonly files: DevFile[] = [];
  readonly variables: DevVariable[] = [];
  readonly skipped: { what: string; why: string }[] = [];
  private readonly handledEnv = new Set<SecretRef>();

  private readonly configDir: string;

  constructor(configDir: string) {
    this.configDir = configDir;
  }

  /** The absolute path of a file secret, or undefined (and a note) when it is outside the config's directory. */
  private inside(ref: { file: string }, purpose: string): string | undefined {
    const path = resolve(this.configDir, ref.file);
    const fromConfig = relative(this.configDir, path);
    if (fromConfig.startsWith("..") || isAbsolute(fromConfig)) {
      this.skipped.push({ what: `${ref.file} (${purpose})`, why: "it is outside the config's directory, which is all dev-certs writes to" });
      return undefined;
    }
    return path;
  }

  ca(ref: SecretRef | undefined, purpose: string): void {
    if (!isFile(ref)) {
      this.envPem(ref, purpose);
      return;
    }
    const path = this.inside(ref, purpose);
    if (!path) return;
    const existing = this.files.find((file) => file.kind === "ca" && file.path === path);
    if (existing) existing.purposes.push(purpose);
    else this.files.push({ kind: "ca", path, purposes: [purpose] });
  }

  pair(certificate: SecretRef, privateKey: SecretRef, request: LeafRequest, purpose: string): void {
    if (!isFile(certificate) || !isFile(privateKey)) {
      this.envPem(certificate, purpose);
      this.envPem(privateKey, purpose);
      return;
    }
    const cert = this.inside(certificate, purpose);
    const key = this.inside(privateKey, purpose);
    if (!cert || !key) return;
    // Listeners that share a certificate file share one certificate, for all their host names.
    const index = this.files.findIndex((file) => file.kind === "pair" && file.certificate === cert);
    const shared = this.files[index];
    if (shared?.kind !== "pair") {
      this.files.push({ kind: "pair", certificate: cert, privateKey: key, request, purposes: [purpose] });
      return;
    }
    const subjectAltNames = [...new Set([...shared.request.subjectAltNames, ...request.subjectAltNames])];
    this.files[index] = { ...shared, request: { ...shared.request, subjectAltNames }, purposes: [...shared.purposes, purpose] };
  }

  /** A pair at a path dev-certs chooses, for something the config names no file for. */
  pairAt(base: string, request: LeafRequest, purpose: string): void {
    this.files.push({ kind: "pair", certificate: `${base}.crt`, privateKey: `${base}.key`, request, purposes: [purpose] });
  }

  apiKeys(ref: SecretRef, purpose: string): void {
    if (!isFile(ref)) {
      this.handledEnv.add(ref);
      this.variables.push({ name: ref.env, value: "api-key", purpose });
      return;
    }
    const path = this.inside(ref, purpose);
    if (path) this.files.push({ kind: "api-key", path, purposes: [purpose] });
  }

  private envPem(ref: SecretRef | undefined, purpose: string): void {
    if (!ref || isFile(ref)) return;
    this.handledEnv.add(ref);
    this.skipped.push({ what: `$${ref.env} (${purpose})`, why: "a PEM in an environment variable: set it from a file dev-certs made, or name a file instead" });
  }

  /** Every other environment variable the config reads (LLM provider keys and the like) gets a placeholder. */
  otherVariables(node: unknown, path: string): void {
    if (typeof node !== "object" || node === null) return;
    const ref = node as { env?: unknown };
    if (typeof ref.env === "string" && Object.keys(node).length === 1 && !this.handledEnv.has(node as SecretRef)) {
      if (!this.variables.some((variable) => variable.name === ref.env)) this.variables.push({ name: ref.env, value: "placeholder", purpose: path });
      return;
    }
    for (const [key, value] of Object.entries(node)) this.otherVariables(value, path ? `${path}.${key}` : key);
  }
}

export function planDevCerts(config: GatewayConfig, configFile: string): DevCertsPlan {
  const configDir = dirname(configFile);
  const planner = new Planner(configDir);
  for (const listener of config.gateway.listeners) {
    if (!listener.tls) continue;
    const hostnames = listener.hostnames?.length ? listener.hostnames : ["localhost"];
    planner.pair(
      listener.tls.certificate,
      listener.tls.privateKey,
      { commonName: hostnames[0]!, subjectAltNames: hostnames.map(hostSan), role: "server" },
      `server certificate of listener "${listener.name}": ${hostnames.join(", ")}`,
    );
    planner.ca(listener.tls.clientCertificate?.caCertificate, `CA of the client certificates listener "${listener.name}" accepts`);
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.type !== "service" || !provider.tls) continue;
    const tls = provider.tls;
    planner.ca(tls.caCertificate, `CA that provider "${name}"'s certificate chains to`);
    if (tls.clientCertificate) {
      const gateway = config.gateway.name;
      planner.pair(tls.clientCertificate.certificate, tls.clientCertificate.privateKey, { commonName: gateway, subjectAltNames: [hostSan(gateway)], role: "client" }, `the gateway's client certificate for provider "${name}"`);
    }
  }
  for (const [name, identity] of Object.entries(config.identities ?? {})) {
    if (identity.type === "apiKey") for (const consumer of identity.consumers) planner.apiKeys(consumer.keys, `API key of consumer "${consumer.name}" (identity "${name}")`);
  }
  const home = planner.files.length > 0 ? dirname(planner.files.map((file) => (file.kind === "pair" ? file.certificate : file.path))[0]!) : join(configDir, "secrets");

  // Certificates the config names no file for: its mTLS callers', and the services' it checks against the development CA.
  for (const [name, identity] of Object.entries(config.identities ?? {})) {
    if (identity.type !== "mtls") continue;
    for (const client of identity.clients) {
      const sans = [...(client.spiffeId ? [`URI:${client.spiffeId}`] : []), ...(client.san ? [hostSan(client.san)] : [])];
      const what = `client certificate of "${client.name}" (mTLS identity "${name}")${sans.length > 0 ? `: ${sans.join(", ")}` : ""}`;
      planner.pairAt(join(home, "clients", `${name}-${client.name}`), { commonName: client.name, subjectAltNames: sans.length > 0 ? sans : [`DNS:${client.name}`], role: "client" }, what);
    }
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.type !== "service" || !isFile(provider.tls?.caCertificate)) continue;
    const tls = provider.tls!;
    const hosts = provider.endpoints.map((endpoint) => endpoint.replace(/:\d+$/, ""));
    const sans = [...new Set([...(tls.expectedSpiffeIds ?? []).map((id) => `URI:${id}`), ...[...(tls.expectedSans ?? []), ...(tls.sni ? [tls.sni] : []), ...hosts].map(hostSan)])];
    planner.pairAt(join(home, "services", name), { commonName: name, subjectAltNames: sans, role: "server" }, `for a local stand-in of provider "${name}": ${sans.join(", ")}`);
  }
  planner.otherVariables(config, "");
  return { home, files: planner.files, variables: planner.variables, skipped: planner.skipped };
}
