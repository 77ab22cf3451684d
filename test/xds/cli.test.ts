/** compile --out / --check, diff and validate, run as the real CLI in a child process. */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "portcullis-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, "src", "cli", "main.ts"), ...args], { cwd: work });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("portcullis compile / diff / validate", () => {
  cpSync(join(root, "test", "golden", "route-matches", "gateway.yaml"), join(work, "gateway.yaml"));
  const config = join(work, "gateway.yaml");

  it("compile --check fails while the output is missing, compile writes it, then --check passes", async () => {
    const missing = await cli("compile", "--check", config);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("missing   routes/web.yaml");
    const written = await cli("compile", config);
    expect(written.code).toBe(0);
    expect(readFileSync(join(work, "generated", "index.yaml"), "utf8")).toMatch(/routes:\n {4}web: [0-9a-f]{16}/);
    expect((await cli("compile", "--check", config)).code).toBe(0);
  });

  it("compile --check lists stale and orphaned files", async () => {
    writeFileSync(join(work, "generated", "clusters", "orders.yaml"), "edited by hand\n");
    writeFileSync(join(work, "generated", "clusters", "gone.yaml"), "left over\n");
    const stale = await cli("compile", "--check", config);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("differs   clusters/orders.yaml");
    expect(stale.stdout).toContain("orphaned  clusters/gone.yaml");
    // In a pull request, each stale file is annotated where it is.
    const annotated = await cli("compile", "--check", "--format", "github", config);
    expect(annotated.code).toBe(1);
    expect(annotated.stdout).toContain("::error file=generated/clusters/orders.yaml,line=1,col=1,title=PCL4020::differs from a fresh compile");
    expect(annotated.stdout).toContain("::error file=generated/clusters/gone.yaml,line=1,col=1,title=PCL4020::orphaned");
    await cli("compile", config);
    expect((await cli("compile", "--check", config)).code).toBe(0);
  });

  it("diff summarizes route changes against the committed output", async () => {
    writeFileSync(config, readFileSync(config, "utf8").replace("name: create, match: { path: /, methods: [POST] }", "name: create, match: { path: /new, methods: [POST, PUT] }"));
    const diff = await cli("diff", config);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("~ changed  routes/web");
    expect(diff.stdout).toContain("path /v1/orders → /v1/orders/new");
    expect(diff.stdout).toContain("methods POST → POST,PUT");
  });

  it("diff survives committed output left unreadable by a merge conflict, and refuses a missing --against", async () => {
    const routes = join(work, "generated", "routes", "web.yaml");
    writeFileSync(routes, "<<<<<<< HEAD\nname: web\n=======\n");
    const diff = await cli("diff", config);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("routes/web");
    const missing = await cli("diff", config, "--against", join(work, "no-such-dir"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--against");
    expect(missing.stderr).not.toMatch(/this is a bug/);
    await cli("compile", config);
  });

  it("compile --out naming a file is a clear usage error, not a crash", async () => {
    writeFileSync(join(work, "a-file"), "x\n");
    const result = await cli("compile", config, "--out", join(work, "a-file"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/a-file \(ENOTDIR\); it must be a directory/);
    expect(result.stderr).not.toMatch(/this is a bug/);
  });

  it("validate runs real Envoy on the compiled config", { timeout: 30_000 }, async () => {
    const ok = await cli("validate", config);
    expect(ok.stdout).toContain("Envoy accepts the config");
    expect(ok.code).toBe(0);
  });
});
