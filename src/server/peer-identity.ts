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
}

export interface PeerIdentities {
  readonly uris: string[];
  readonly dnsNames: string[];
}

export function peerIdentities(certificate: PeerCertificate | undefined): PeerIdentities {
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
