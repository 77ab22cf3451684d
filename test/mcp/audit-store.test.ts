/** MCP audit records land in the usage database's mcp_tool_calls table, beside usage, never hold arguments, and read back by identity, tool and time. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, expect, it } from "vitest";
import { UsageStore } from "../../src/ai/usage-store.ts";
import { argumentsHash } from "../../src/mcp/audit.ts";
import { mcpAuditRecords } from "../../src/mcp/audit-query.ts";
import { McpAuditStore } from "../../src/mcp/audit-store.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-mcp-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("writes each record to mcp_tool_calls in the usage database", async () => {
  const file = join(dir, "usage.db");
  const usage = new UsageStore(file);
  const store = new McpAuditStore(file);
  const hash = argumentsHash({ query: "the secret plans" });
  store.record({ time: "2026-12-03T08:00:00.000Z", gateway: "g", requestId: "r1", identity: "sso", subject: "ada", api: "tools", server: "tools", tool: "search_docs", argumentsSha256: hash!, decision: "allowed", status: 200, durationMs: 12 });
  store.record({ time: "2026-12-03T08:00:01.000Z", gateway: "g", requestId: "r2", consumer: "acme", api: "tools", server: "tools", tool: "delete_repo", decision: "refused", reason: "JSON-RPC batches are not accepted", status: 400, durationMs: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  store.close();
  usage.close();
  const db = new DatabaseSync(file, { readOnly: true });
  const rows = db.prepare("SELECT request_id, identity, subject, consumer, tool, arguments_sha256, decision, reason, status FROM mcp_tool_calls ORDER BY id").all();
  // What `portcullis audit mcp` reads: by identity, by tool, since a time, newest first.
  expect(mcpAuditRecords(db).map((record) => record.requestId)).toEqual(["r2", "r1"]);
  expect(mcpAuditRecords(db, { identity: "sso" }).map((record) => record.requestId)).toEqual(["r1"]);
  expect(mcpAuditRecords(db, { tool: "delete_repo" })).toMatchObject([{ requestId: "r2", consumer: "acme", decision: "refused", reason: "JSON-RPC batches are not accepted", status: 400 }]);
  expect(mcpAuditRecords(db, { since: "2026-12-03T08:00:00.500Z" }).map((record) => record.requestId)).toEqual(["r2"]);
  db.close();
  expect(rows).toEqual([
    { request_id: "r1", identity: "sso", subject: "ada", consumer: null, tool: "search_docs", arguments_sha256: hash, decision: "allowed", reason: null, status: 200 },
    { request_id: "r2", identity: null, subject: null, consumer: "acme", tool: "delete_repo", arguments_sha256: null, decision: "refused", reason: "JSON-RPC batches are not accepted", status: 400 },
  ]);
  expect(hash).toBe(argumentsHash({ query: "the secret plans" }));
  expect(hash).not.toBe(argumentsHash({ query: "other plans" }));
});
