/** What `portcullis audit` asks the store: request records by API, identity, consumer, status class and time. */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { AuditRecord } from "./record.ts";
import { REQUEST_COLUMNS } from "./store.ts";

export interface RequestQuery {
  readonly api?: string;
  /** An identity name, a JWT subject or a SPIFFE ID. */
  readonly identity?: string;
  readonly consumer?: string;
  /** `404`, or a class: `4xx`, `5xx`. */
  readonly status?: string;
  /** ISO time: records from then on. */
  readonly since?: string;
  readonly limit: number;
}

/** A status filter as a range of codes, or undefined when it is neither `NNN` nor `Nxx`. */
export function statusRange(text: string): readonly [number, number] | undefined {
  const exact = /^([1-5][0-9]{2})$/.exec(text);
  if (exact) return [Number(exact[1]), Number(exact[1])];
  const range = /^([1-5])xx$/i.exec(text);
  return range ? [Number(range[1]) * 100, Number(range[1]) * 100 + 99] : undefined;
}

const FIELDS = Object.entries(REQUEST_COLUMNS) as [keyof AuditRecord, string][];

/** The newest records first, at most `limit`. */
export function queryRequests(db: DatabaseSync, query: RequestQuery): AuditRecord[] {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  if (query.api) where.push("api = ?") && params.push(query.api);
  if (query.identity) where.push("(identity = ? OR subject = ? OR spiffe_id = ?)") && params.push(query.identity, query.identity, query.identity);
  if (query.consumer) where.push("consumer = ?") && params.push(query.consumer);
  const range = query.status ? statusRange(query.status) : undefined;
  if (range) where.push("status BETWEEN ? AND ?") && params.push(range[0], range[1]);
  if (query.since) where.push("time >= ?") && params.push(query.since);
  const sql = `SELECT ${FIELDS.map(([, column]) => column).join(", ")} FROM requests ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY time DESC, id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...params, query.limit) as Record<string, SQLInputValue>[];
  return rows.map((row) => Object.fromEntries(FIELDS.flatMap(([field, column]) => (row[column] === null ? [] : [[field, row[column]]]))) as unknown as AuditRecord);
}
