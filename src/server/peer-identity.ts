/**
 * Who is on the other end of an xDS stream, from its TLS client certificate, and whether it may
 * receive config. With mTLS, the handshake already demands a certificate signed by the client CA;
 * this narrows it to allowed SPIFFE IDs (URI SANs) or DNS SANs.
 */
import type { PeerCertificate } from "node:tls";

export interface PeerPolicy {
  /** Allowed SPIFFE IDs, e.g. spiffe://example.org/envoy/edge. Empty with `allowSan` empty: any certificate from the CA. */
  readonly allowSpiffe: readonly string[];
  readonly allowSan: readonly string[];
  /**
   * Identity (SPIFFE ID or SAN) → the only gateways it may fetch. An allowed identity without an
   * entry may fetch any gateway; binding stops one proxy from asking for another gateway's config
   * and secrets by claiming its `node.cluster`.
   */
  readonly gatewaysOf?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface PeerIdentities {
  readonly uris: string[];
  readonly dnsNames: string[];
}

function peerIdentities(certificate: PeerCertificate | undefined): PeerIdentities {
  const uris: string[] = [];
  const dnsNames: string[] = [];
  for (const entry of (certificate?.subjectaltname ?? "").split(",")) {
    const trimmed = entry.trim();
    if (trimmed.startsWith("URI:")) uris.push(trimmed.slice(4));
    else if (trimmed.startsWith("DNS:")) dnsNames.push(trimmed.slice(4));
  }
  return { uris, dnsNames };
}

/** Why the peer may not receive config, or undefined when it may. */
export function denialReason(policy: PeerPolicy, certificate: PeerCertificate | undefined): string | undefined {
  if (!certificate || Object.keys(certificate).length === 0) return "no client certificate";
  if (policy.allowSpiffe.length === 0 && policy.allowSan.length === 0) return undefined;
  const { uris, dnsNames } = peerIdentities(certificate);
  if (uris.some((uri) => policy.allowSpiffe.includes(uri))) return undefined;
  if ([...dnsNames, ...uris].some((name) => policy.allowSan.includes(name))) return undefined;
  return `client certificate identity ${JSON.stringify([...uris, ...dnsNames])} is not in the allowed list`;
}

/** Why this peer may not fetch this gateway (its identities are bound to others), or undefined. */
export function gatewayDenial(policy: PeerPolicy, certificate: PeerCertificate | undefined, gateway: string): string | undefined {
  if (!policy.gatewaysOf || policy.gatewaysOf.size === 0) return undefined;
  const { uris, dnsNames } = peerIdentities(certificate);
  const bound = [...uris, ...dnsNames].flatMap((identity) => [...(policy.gatewaysOf?.get(identity) ?? [])]);
  if (bound.length === 0 || bound.includes(gateway)) return undefined;
  return `client certificate identity may fetch only ${JSON.stringify([...new Set(bound)].sort())}, not "${gateway}"`;
}

/**
 * Splits `--allow-spiffe`/`--allow-san` values of the form `IDENTITY=GATEWAY[,GATEWAY…]` into the
 * identity list and the gateway bindings; a value without `=` allows the identity any gateway.
 */
export function parseAllowList(values: readonly string[]): { identities: string[]; gatewaysOf: Map<string, Set<string>> } {
  const identities: string[] = [];
  const gatewaysOf = new Map<string, Set<string>>();
  for (const value of values) {
    const split = value.lastIndexOf("=");
    const identity = split === -1 ? value : value.slice(0, split);
    identities.push(identity);
    if (split === -1) continue;
    const gateways = gatewaysOf.get(identity) ?? new Set<string>();
    for (const gateway of value.slice(split + 1).split(",").filter(Boolean)) gateways.add(gateway);
    gatewaysOf.set(identity, gateways);
  }
  return { identities, gatewaysOf };
}
