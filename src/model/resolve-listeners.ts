import type { GatewaySettings } from "../config/types.ts";
import type { ListenerIR, SecretIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { readCaBundle, readCertificateAndKey, type SecretSource } from "./secrets.ts";

/** Listeners with their TLS folded into SDS secret names; the secrets are collected into `secrets`. */
export function resolveListeners(gateway: GatewaySettings, source: SecretSource, report: Reporter, secrets: SecretIR[]): ListenerIR[] {
  return (gateway.listeners ?? []).map((listener, index): ListenerIR => {
    const path = ["gateway", "listeners", index];
    const base = {
      name: listener.name,
      address: listener.address ?? "0.0.0.0",
      port: listener.port,
      hostnames: [...new Set(listener.hostnames ?? [])].sort(),
    };
    const tls = listener.tls;
    if (!tls) return base;
    const certificateSecret = `listener-${listener.name}-cert`;
    secrets.push({ name: certificateSecret, kind: "tls-certificate", ...readCertificateAndKey(tls, source, report, [...path, "tls"]) });
    const client = tls.clientCertificate;
    let clientCertificate: NonNullable<ListenerIR["tls"]>["clientCertificate"];
    if (client) {
      const caSecret = `listener-${listener.name}-client-ca`;
      secrets.push({ name: caSecret, kind: "validation-context", certificate: readCaBundle(client.caCertificate, source, report, [...path, "tls", "clientCertificate", "caCertificate"]) });
      clientCertificate = { caSecret, required: client.required ?? true };
    }
    return { ...base, tls: { certificateSecret, minVersion: tls.minVersion ?? "1.2", ...(clientCertificate ? { clientCertificate } : {}) } };
  });
}
