/** audit.store, audit.retention and audit.receiver: where Envoy's gRPC access logs go and how long they are kept. */
import { resolve as resolvePath } from "node:path";
import type { AuditSettings } from "../config/types.ts";
import type { AuditStoreIR } from "./ir.ts";
import type { Reporter } from "./report.ts";

export const DEFAULT_AUDIT_STORE = ".portcullis/audit.db";
export const DEFAULT_AUDIT_RECEIVER = "127.0.0.1:18003";
export const AUDIT_RECEIVER_CLUSTER = "portcullis_audit";
const DEFAULT_RETENTION = "30d";
const RETENTION_UNIT_MS = { h: 3_600_000, d: 86_400_000 } as const;

/** `"12h"`, `"30d"` → milliseconds; undefined when malformed. */
export function retentionMs(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,5})(h|d)$/.exec(text);
  return match ? Number(match[1]) * RETENTION_UNIT_MS[match[2] as keyof typeof RETENTION_UNIT_MS] : undefined;
}

export function resolveAuditStore(audit: AuditSettings | undefined, baseDir: string, report: Reporter): { store?: AuditStoreIR } {
  if (audit?.store === false) return {};
  const address = audit?.receiver ?? DEFAULT_AUDIT_RECEIVER;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    report.error("PCL4100", `Audit receiver address "${address}" is not host:port.`, ["audit", "receiver"], 'Write it as host:port, e.g. "127.0.0.1:18003" or "audit.internal:18003".');
    return {};
  }
  const retention = audit?.retention ?? DEFAULT_RETENTION;
  const kept = retentionMs(retention);
  if (kept === undefined) {
    report.error("PCL4101", `Audit retention "${retention}" is not a number of hours or days.`, ["audit", "retention"], 'Write it as "72h" or "30d".');
    return {};
  }
  return {
    store: { file: resolvePath(baseDir, audit?.store ?? DEFAULT_AUDIT_STORE), retentionMs: kept, receiver: { host: match[1] ?? match[2]!, port }, cluster: AUDIT_RECEIVER_CLUSTER },
  };
}
