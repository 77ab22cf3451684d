/** `portcullis audit` output: request records as a table, JSON or CSV; the config history as text or JSON. */
import type { ConfigHistory } from "./config-history.ts";
import type { AuditRecord } from "./record.ts";
import { REQUEST_COLUMNS } from "./store.ts";

export const AUDIT_FORMATS = ["table", "json", "csv"] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** The table's columns: who called what, and what the gateway decided. */
const TABLE_FIELDS = ["time", "gateway", "api", "version", "method", "path", "status", "decision", "reason", "identity", "subject", "consumer", "team", "spiffeId", "durationMs"] as const;

const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));

function table(lines: readonly (readonly string[])[]): string {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  return lines.map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** How one kind of record prints: the table's fields, and every field with its CSV column name, in order. */
export interface RecordLayout<R> {
  readonly tableFields: readonly (keyof R)[];
  readonly csvColumns: { readonly [K in keyof R]-?: string };
  /** What the table says when no record matches. */
  readonly none: string;
}

/** Records as JSON, CSV (every field) or an aligned table (the layout's fields). */
export function renderRecords<R extends object>(records: readonly R[], format: AuditFormat, layout: RecordLayout<R>): string {
  if (format === "json") return JSON.stringify(records, null, 2);
  if (format === "csv") {
    const fields = Object.keys(layout.csvColumns) as (keyof R)[];
    return [fields.map((field) => layout.csvColumns[field]), ...records.map((record) => fields.map((field) => text(record[field])))].map((line) => line.map(csvField).join(",")).join("\n");
  }
  if (records.length === 0) return layout.none;
  return table([layout.tableFields.map(String), ...records.map((record) => layout.tableFields.map((field) => text(record[field])))]);
}

export function renderRequests(records: readonly AuditRecord[], format: AuditFormat): string {
  return renderRecords(records, format, { tableFields: TABLE_FIELDS, csvColumns: REQUEST_COLUMNS, none: "no audit records match" });
}

export function renderConfigHistory(history: ConfigHistory, format: AuditFormat): string {
  if (format === "json") return JSON.stringify(history, null, 2);
  if (format === "csv") {
    const lines = [["time", "gateway", "version", "config_hash", "file", "git_commit", "git_author", "git_time", "git_dirty"]];
    for (const change of history.changes) lines.push([change.time, change.gateway, change.version, change.configHash, change.file, text(change.git?.commit), text(change.git?.author), text(change.git?.time), text(change.git?.dirty)]);
    return lines.map((line) => line.map(csvField).join(",")).join("\n");
  }
  const changes = history.changes.length === 0
    ? "no config served yet"
    : table([
        ["served at", "gateway", "version", "config hash", "commit", "author", "committed", "work tree"],
        ...history.changes.map((change) => [change.time, change.gateway, change.version, change.configHash, change.git?.commit.slice(0, 12) ?? "(not in git)", change.git?.author ?? "", change.git?.time ?? "", change.git ? (change.git.dirty ? "dirty" : "clean") : ""]),
      ]);
  const nodes = history.nodes.length === 0
    ? "no node has connected"
    : table([
        ["node", "gateway", "runs (last ACK)", "acked at", "offered", "last NACK"],
        ...history.nodes.map((node) => [
          node.node,
          node.gateway,
          node.running?.snapshot ?? "(nothing ACKed)",
          node.running?.time ?? "",
          node.offered?.snapshot ?? "",
          node.lastNack ? `${node.lastNack.time} ${node.lastNack.type} ${node.lastNack.snapshot ?? node.lastNack.version}: ${node.lastNack.message.split("\n")[0]}` : "",
        ]),
      ]);
  return `Config changes (newest first)\n${changes}\n\nNodes\n${nodes}`;
}
