/**
 * What `portcullis audit config` answers: which configs were served (version, config hash, git
 * commit and author), and what each node runs — the last snapshot it ACKed — and its last NACK.
 */
import type { DatabaseSync } from "node:sqlite";
import type { ConfigChange } from "./changes.ts";

export interface NodeRollout {
  readonly node: string;
  readonly gateway: string;
  /** The snapshot last offered to the node, and when. */
  readonly offered?: { readonly snapshot: string; readonly time: string };
  /** The snapshot of the node's last ACK, and when: what it runs. */
  readonly running?: { readonly snapshot: string; readonly time: string };
  readonly lastNack?: { readonly snapshot?: string; readonly type: string; readonly version: string; readonly message: string; readonly time: string };
}

export interface ConfigHistory {
  /** Newest first. */
  readonly changes: readonly ConfigChange[];
  readonly nodes: readonly NodeRollout[];
}

interface ChangeRow {
  time: string;
  gateway: string;
  version: string;
  config_hash: string;
  file: string;
  git_commit: string | null;
  git_author: string | null;
  git_time: string | null;
  git_dirty: number | null;
}

interface EventRow {
  time: string;
  node: string;
  gateway: string;
  snapshot: string | null;
  type: string | null;
  version: string | null;
  message: string | null;
}

function change(row: ChangeRow): ConfigChange {
  const git = row.git_commit ? { git: { commit: row.git_commit, author: row.git_author ?? "", time: row.git_time ?? "", dirty: row.git_dirty === 1 } } : {};
  return { time: row.time, gateway: row.gateway, version: row.version, configHash: row.config_hash, file: row.file, ...git };
}

/** The latest event of a kind per node (the highest id wins). */
function latest(db: DatabaseSync, event: string, gateway: string | undefined): EventRow[] {
  const filter = gateway ? "AND gateway = ?" : "";
  const sql = `SELECT time, node, gateway, snapshot, type, version, message FROM rollouts WHERE id IN (SELECT MAX(id) FROM rollouts WHERE event = ? ${filter} GROUP BY node) ORDER BY node`;
  return db.prepare(sql).all(...(gateway ? [event, gateway] : [event])) as unknown as EventRow[];
}

export function configHistory(db: DatabaseSync, options: { readonly gateway?: string; readonly limit: number }): ConfigHistory {
  const filter = options.gateway ? "WHERE gateway = ?" : "";
  const rows = db.prepare(`SELECT * FROM config_changes ${filter} ORDER BY id DESC LIMIT ?`).all(...(options.gateway ? [options.gateway] : []), options.limit) as unknown as ChangeRow[];
  const nodes = new Map<string, { -readonly [K in keyof NodeRollout]: NodeRollout[K] }>();
  const entry = (row: EventRow) => {
    let found = nodes.get(row.node);
    if (!found) nodes.set(row.node, (found = { node: row.node, gateway: row.gateway }));
    return found;
  };
  for (const row of latest(db, "offered", options.gateway)) entry(row).offered = { snapshot: row.snapshot ?? "", time: row.time };
  for (const row of latest(db, "ack", options.gateway)) entry(row).running = { snapshot: row.snapshot ?? "", time: row.time };
  for (const row of latest(db, "nack", options.gateway)) {
    entry(row).lastNack = { ...(row.snapshot ? { snapshot: row.snapshot } : {}), type: row.type ?? "", version: row.version ?? "", message: row.message ?? "", time: row.time };
  }
  return { changes: rows.map(change), nodes: [...nodes.values()].sort((a, b) => (a.node < b.node ? -1 : 1)) };
}
