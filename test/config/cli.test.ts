import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const main = join(root, "src", "cli", "main.ts");
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "portcullis-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function portcullis(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const broken = join(root, "test", "fixtures", "invalid", "unknown-provider.yaml");

describe("portcullis compile --check", () => {
  it("reports a broken config with a located message and a code frame, exit 1", async () => {
    const result = await portcullis(["compile", "--check", broken]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("test/fixtures/invalid/unknown-provider.yaml:34:23: error PCL3001: a route names provider 'ordrs', which is not defined");
    expect(result.stdout).toContain("  34 |             provider: ordrs\n     |                       ^");
    expect(result.stdout).toContain("hint: did you mean 'orders'?");
    expect(result.stdout).not.toMatch(/\n\s+at /);
  });

  it("writes GitHub Actions annotations with --format github", async () => {
    const result = await portcullis(["compile", "--check", broken, "--format", "github"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      "::error file=test/fixtures/invalid/unknown-provider.yaml,line=34,col=23,title=PCL3001::a route names provider 'ordrs', which is not defined — did you mean 'orders'?\n",
    );
  });

  it("writes machine-readable findings with --format json", async () => {
    const result = await portcullis(["compile", "--check", broken, "--format", "json"]);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { diagnostics: { code: string; location: { line: number } }[] };
    expect(parsed.diagnostics.map((d) => [d.code, d.location.line])).toEqual([["PCL3001", 34]]);
  });

  it("reports every finding of a TypeScript config in one run", async () => {
    const result = await portcullis(["compile", "--check", join(root, "test", "fixtures", "invalid", "ts-unknown-identity-via-const.ts")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("ts-unknown-identity-via-const.ts:4:39: error PCL3003");
  });

  it("exits 2 on wrong usage", async () => {
    const result = await portcullis(["compile", "--format", "xml", broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown --format 'xml'");
  });
});

describe("portcullis init", () => {
  it.each([["gateway.config.ts", []], ["gateway.yaml", ["--yaml"]]] as const)("writes a %s that loads without findings and never overwrites it", async (name, flags) => {
    const dir = join(work, name);
    const first = await portcullis(["init", ...flags, "--dir", dir]);
    expect(first.code).toBe(0);
    const { loadConfig } = await import("../../src/config/load.ts");
    const loaded = await loadConfig(join(dir, name));
    expect(loaded.diagnostics).toEqual([]);
    const before = readFileSync(join(dir, name), "utf8");
    const second = await portcullis(["init", ...flags, "--dir", dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("already exists");
    expect(readFileSync(join(dir, name), "utf8")).toBe(before);
    if (name === "gateway.yaml") expect(before).toMatch(/^# yaml-language-server: \$schema=\S+gateway\.schema\.json\n/);
  });

  it("refuses a directory that already holds another project's config or output, and --dir naming a file", async () => {
    const dir = join(work, "existing-project");
    mkdirSync(join(dir, "generated"), { recursive: true });
    writeFileSync(join(dir, "gateway.yaml"), "gateway: { name: mine, listeners: [] }\n");
    writeFileSync(join(dir, "generated", "index.yaml"), "mine\n");
    const refused = await portcullis(["init", "--dir", dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/gateway\.yaml already exists; init starts new projects and never overwrites one/);
    expect(existsSync(join(dir, "gateway.config.ts"))).toBe(false);
    expect(readFileSync(join(dir, "generated", "index.yaml"), "utf8")).toBe("mine\n");

    const notADirectory = await portcullis(["init", "--dir", join(dir, "gateway.yaml")]);
    expect(notADirectory.code).toBe(2);
    expect(notADirectory.stderr).toMatch(/is a file, not a directory/);
    expect(notADirectory.stderr).not.toMatch(/internal error/);
  });
});
