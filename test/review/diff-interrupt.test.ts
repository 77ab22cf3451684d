/**
 * The base side's temporary copy is removed even when diff is interrupted: the base config (a
 * TypeScript config that waits before it exports) keeps diff busy while the copy exists, and the
 * process group gets SIGINT, as a terminal's Ctrl-C sends it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import { git, writeFiles } from "./fixture.ts";

const root = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "portcullis-diff-interrupt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CONFIG = `import { defineGateway } from "portcullis";

export default defineGateway({
  gateway: { name: "slow", listeners: [{ name: "local", address: "127.0.0.1", port: 8080, hostnames: ["localhost"] }] },
  providers: { hello: { type: "service", endpoints: ["127.0.0.1:3000"], plaintext: { reason: "loopback test backend" } } },
  apis: [
    {
      name: "hello",
      owner: "team",
      description: "Hello.",
      basePath: "/hello",
      versions: { v1: { state: "published", access: { public: { reason: "a test of an interrupted diff" } }, routes: [{ name: "greet", match: { path: "/", methods: ["GET"] }, provider: "hello" }] } },
    },
  ],
});
`;

it("removes the base checkout when interrupted while compiling the base", async () => {
  const repo = join(work, "repo");
  const temp = join(work, "tmp");
  mkdirSync(temp);
  git(work, "init", "-q", "-b", "main", repo);
  // The base config waits ten minutes before it exports: diff is still compiling it when interrupted.
  writeFiles(repo, { "gateway.config.ts": `await new Promise((resolve) => setTimeout(resolve, 600_000));\n${CONFIG}` });
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "base");
  git(repo, "checkout", "-q", "-b", "change");
  writeFiles(repo, { "gateway.config.ts": CONFIG });
  git(repo, "commit", "-q", "-am", "change");

  const diff = spawn(process.execPath, [join(root, "src", "cli", "main.ts"), "diff"], {
    cwd: repo,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, TMPDIR: temp, PORTCULLIS_CONFIG_TIME_LIMIT_MS: "600000" },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => diff.on("exit", (_code, signal) => resolve(signal)));
  const copies = () => readdirSync(temp).filter((name) => name.startsWith("portcullis-diff-"));
  const written = () => copies().some((copy) => existsSync(join(temp, copy, "tree", "gateway.config.ts")));
  try {
    // Wait for the copy of the base: it stays for as long as the base config keeps diff waiting.
    for (let waited = 0; !written(); waited += 100) {
      expect(diff.exitCode, "diff ended before it wrote the base checkout").toBeNull();
      expect(waited, "diff never wrote the base checkout").toBeLessThan(120_000);
      await sleep(100);
    }
    process.kill(-diff.pid!, "SIGINT");
    expect(await exited).toBe("SIGINT");
    expect(copies()).toEqual([]);
  } finally {
    if (diff.exitCode === null && diff.signalCode === null) process.kill(-diff.pid!, "SIGKILL");
  }
}, 180_000);
