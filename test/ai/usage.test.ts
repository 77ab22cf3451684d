/**
 * Usage records: the SQLite store (written behind the request path), the report's sums and the
 * `portcullis usage` command's formats.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costUsd } from "../../src/ai/catalog.ts";
import type { UsageRecord } from "../../src/ai/usage.ts";
import { usageReport } from "../../src/ai/usage-report.ts";
import { openUsageDatabase, UsageStore } from "../../src/ai/usage-store.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-usage-"));
const db = join(dir, "nested", "usage.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A usage database as the first release wrote it (no target, attempts, prompt or endpoint columns), with one record. */
function firstReleaseDatabase(name: string): string {
  const file = join(dir, name);
  const old = new DatabaseSync(file);
  old.exec(`CREATE TABLE usage (id INTEGER PRIMARY KEY, time TEXT NOT NULL, gateway TEXT NOT NULL, request_id TEXT NOT NULL, identity TEXT, subject TEXT, consumer TEXT, team TEXT,
    alias TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, stream INTEGER NOT NULL, status INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL, cache_write_input_tokens INTEGER NOT NULL, usage_reported INTEGER NOT NULL, cost_usd REAL, duration_ms INTEGER NOT NULL)`);
  old.exec("INSERT INTO usage (time, gateway, request_id, alias, provider, model, stream, status, input_tokens, output_tokens, cached_input_tokens, cache_write_input_tokens, usage_reported, duration_ms) VALUES ('t', 'g', 'r0', 'a', 'p', 'm', 0, 200, 1, 2, 0, 0, 1, 5)");
  old.close();
  return file;
}

/** A record with `patch` applied; a patch value of undefined removes the field. */
const record = (patch: { [K in keyof UsageRecord]?: UsageRecord[K] | undefined }): UsageRecord => ({
  time: "2026-12-01T10:00:00.000Z",
  gateway: "gw",
  requestId: "r",
  identity: "apps",
  consumer: "alice",
  team: "red",
  endpoint: "chat",
  alias: "fast",
  provider: "oai",
  model: "gpt-4o-mini",
  stream: false,
  status: 200,
  inputTokens: 100,
  outputTokens: 10,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  usageReported: true,
  costUsd: 0.5,
  durationMs: 20,
  ...patch,
}) as UsageRecord;

beforeAll(() => {
  const store = new UsageStore(db);
  store.record(record({}));
  store.record(record({ time: "2026-12-02T09:00:00.000Z", consumer: "bob", team: undefined, alias: "smart", provider: "claude", model: "claude-sonnet-4-5", costUsd: 1.25, inputTokens: 40, cachedInputTokens: 8 }));
  store.record(record({ time: "2026-12-02T10:00:00.000Z", model: "house-llm", provider: "local", costUsd: null, prompt: "summarize", endpoint: "prompt" }));
  store.record(record({ time: "2026-12-02T11:00:00.000Z", consumer: "bob", team: undefined, status: 529, usageReported: false, inputTokens: 0, outputTokens: 0, costUsd: null }));
  store.close();
});

describe("the usage store and report", () => {
  it("sums requests, errors, tokens and cost per key, counting unpriced requests apart", () => {
    const read = openUsageDatabase(db, { readonly: true });
    expect(usageReport(read, { by: "consumer" })).toEqual([
      { key: "alice", requests: 2, errors: 0, inputTokens: 200, outputTokens: 20, cachedInputTokens: 0, costUsd: 0.5, unpriced: 1 },
      { key: "bob", requests: 2, errors: 1, inputTokens: 40, outputTokens: 10, cachedInputTokens: 8, costUsd: 1.25, unpriced: 0 },
    ]);
    expect(usageReport(read, { by: "team" }).map((row) => [row.key, row.requests])).toEqual([[null, 2], ["red", 2]]);
    expect(usageReport(read, { by: "model" }).map((row) => row.key)).toEqual(["claude/claude-sonnet-4-5", "local/house-llm", "oai/gpt-4o-mini"]);
    expect(usageReport(read, { by: "day", since: "2026-12-02T00:00:00.000Z" }).map((row) => [row.key, row.requests])).toEqual([["2026-12-02", 3]]);
    expect(usageReport(read, { by: "day", gateway: "other" })).toEqual([]);
    expect(usageReport(read, { by: "prompt" }).map((row) => [row.key, row.requests])).toEqual([[null, 3], ["summarize", 1]]);
    expect(usageReport(read, { by: "endpoint" }).map((row) => [row.key, row.requests])).toEqual([["chat", 3], ["prompt", 1]]);
    read.close();
  });

  it("gains the target and attempts columns when a database of an older version is opened, keeping its rows", () => {
    const file = firstReleaseDatabase("migrate.db");
    const store = new UsageStore(file);
    store.record({
      time: "t", gateway: "g", requestId: "r1", endpoint: "chat", alias: "a", provider: "claude", model: "claude-sonnet-4-5", stream: false, status: 200, inputTokens: 1, outputTokens: 2,
      cachedInputTokens: 0, cacheWriteInputTokens: 0, usageReported: true, costUsd: null, durationMs: 5,
      target: { provider: "oai", model: "gpt-4o" },
      attempts: [{ provider: "oai", model: "gpt-4o", key: 2, status: 429 }, { provider: "claude", model: "claude-sonnet-4-5", status: 200 }],
    });
    store.close();
    const db = openUsageDatabase(file, { readonly: true });
    const rows = db.prepare("SELECT request_id, target_provider, target_model, attempts, endpoint FROM usage ORDER BY id").all();
    db.close();
    expect(rows.map((row) => ({ ...row }))).toEqual([
      { request_id: "r0", target_provider: null, target_model: null, attempts: null, endpoint: null },
      { request_id: "r1", target_provider: "oai", target_model: "gpt-4o", attempts: '[{"provider":"oai","model":"gpt-4o","key":2,"status":429},{"provider":"claude","model":"claude-sonnet-4-5","status":200}]', endpoint: "chat" },
    ]);
  });

  it("groups the records of a database an older version wrote by columns it lacks as having no value", () => {
    const file = firstReleaseDatabase("old.db");
    // Reports open it read-only, so it is never migrated.
    const read = openUsageDatabase(file, { readonly: true });
    for (const by of ["endpoint", "prompt"] as const) expect(usageReport(read, { by }).map((row) => [row.key, row.requests])).toEqual([[null, 1]]);
    expect(usageReport(read, { by: "alias" }).map((row) => [row.key, row.requests])).toEqual([["a", 1]]);
    read.close();
  });

  it("prices from the pinned catalog: input includes cached tokens, which cost less", () => {
    const plain = costUsd("openai", "gpt-4o-mini", { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 });
    const cached = costUsd("openai", "gpt-4o-mini", { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 1_000_000, cacheWriteInputTokens: 0 });
    expect(plain).toBeCloseTo(0.15, 6);
    expect(cached).toBeLessThan(plain!);
    expect(costUsd("openai", "no-such-model", { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteInputTokens: 0 })).toBeNull();
    expect(costUsd(undefined, "gpt-4o-mini", { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteInputTokens: 0 })).toBeNull();
  });
});

describe("portcullis usage", () => {
  const main = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts");
  const usage = async (...args: string[]) => {
    try {
      return { code: 0, ...(await promisify(execFile)(process.execPath, [main, "usage", "--db", db, ...args])) };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  };

  it("prints a table, csv or json", async () => {
    const table = await usage("--by", "team");
    expect(table.stdout.split("\n")[0]).toMatch(/^team\s+requests\s+errors\s+input tokens\s+output tokens\s+cached\s+cost \(USD\)\s+unpriced$/);
    expect(table.stdout).toMatch(/\(none\)\s+2\s+1\s+40\s+10\s+8\s+1\.2500\s+0/);
    const csv = await usage("--by", "consumer", "--format", "csv");
    expect(csv.stdout).toBe("consumer,requests,errors,inputTokens,outputTokens,cachedInputTokens,costUsd,unpriced\nalice,2,0,200,20,0,0.5000,1\nbob,2,1,40,10,8,1.2500,0\n");
    const json = JSON.parse((await usage("--by", "day", "--since", "2026-12-02", "--format", "json")).stdout);
    expect(json).toEqual([expect.objectContaining({ key: "2026-12-02", requests: 3 })]);
  });

  it("says what is wrong with its options, or with a missing database", async () => {
    expect(await usage("--by", "colour")).toMatchObject({ code: 2, stderr: expect.stringContaining("--by must be one of team, consumer") });
    expect(await usage("--since", "last tuesday")).toMatchObject({ code: 2, stderr: expect.stringContaining("--since must be") });
    const missing = await promisify(execFile)(process.execPath, [main, "usage", "--db", join(dir, "none.db")]).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("no usage recorded at") });
  });
});
