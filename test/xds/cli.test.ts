/** compile --out / --check, diff, validate and bootstrap, run as the real CLI in a child process. */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "portcullis-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn(work, ...args);
}

async function cliIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, "src", "cli", "main.ts"), ...args], { cwd });
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
    expect(missing.stdout).toContain("missing   routes/web_v1_orders.yaml");
    const written = await cli("compile", config);
    expect(written.code).toBe(0);
    expect(readFileSync(join(work, "generated", "index.yaml"), "utf8")).toMatch(/routes:\n {4}web\/v1\/orders: [0-9a-f]{16}/);
    expect((await cli("compile", "--check", config)).code).toBe(0);
  });

  it("compile --check lists stale files", async () => {
    writeFileSync(join(work, "generated", "clusters", "orders.yaml"), "edited by hand\n");
    const stale = await cli("compile", "--check", config);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("differs   clusters/orders.yaml");
    // In a pull request, each stale file is annotated where it is.
    const annotated = await cli("compile", "--check", "--format", "github", config);
    expect(annotated.code).toBe(1);
    expect(annotated.stdout).toContain("::error file=generated/clusters/orders.yaml,line=1,col=1,title=PCL4020::differs from a fresh compile");
    await cli("compile", config);
    expect((await cli("compile", "--check", config)).code).toBe(0);
  });

  it("diff summarizes route changes against the committed output", async () => {
    writeFileSync(config, readFileSync(config, "utf8").replace("name: create, match: { path: /, methods: [POST] }", "name: create, match: { path: /new, methods: [POST, PUT] }"));
    const diff = await cli("diff", config, "--against", join(work, "generated"));
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("~ changed  routes/web_v1_orders");
    expect(diff.stdout).toContain("path /v1/orders → /v1/orders/new");
    expect(diff.stdout).toContain("methods POST → POST,PUT");
  });

  it("diff survives committed output left unreadable by a merge conflict, and refuses a missing --against", async () => {
    const routes = join(work, "generated", "routes", "web_v1_orders.yaml");
    writeFileSync(routes, "<<<<<<< HEAD\nname: web\n=======\n");
    const diff = await cli("diff", config, "--against", join(work, "generated"));
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

describe("compile writes and removes only the files it wrote", () => {
  const routeMatches = readFileSync(join(root, "test", "golden", "route-matches", "gateway.yaml"), "utf8").replace("../../../schema/", `${join(root, "schema")}/`);
  const withBilling = routeMatches
    .replace("providers:\n", "providers:\n  billing:\n    type: service\n    endpoints: [\"10.0.0.3:8080\"]\n    plaintext: { reason: test backend }\n")
    .replace("          - { name: admin,", "          - { name: bill, match: { prefix: /billing/ }, provider: billing }\n          - { name: admin,");

  /** A project directory holding these files (relative path → content). */
  function project(name: string, files: Record<string, string>): string {
    const dir = join(work, name);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return dir;
  }

  /** Every file under a directory with its content: what must survive a refused compile byte for byte. */
  function contents(dir: string): Record<string, string> {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    return Object.fromEntries(files.map((entry) => [join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), "utf8")]));
  }

  it("refuses --out naming the config's directory (or one above it), and changes nothing there", async () => {
    const dir = project("out-dot", { "gateway.yaml": routeMatches, "deployment.yaml": "kind: Deployment\n", "k8s/service.yaml": "kind: Service\n" });
    const before = contents(dir);
    for (const args of [["compile", "gateway.yaml", "--out", "."], ["compile", "--check", "gateway.yaml", "--out", "."], ["compile", "gateway.yaml", "--out", ".."]]) {
      const refused = await cliIn(dir, ...args);
      expect(refused.code, args.join(" ")).toBe(2);
      expect(refused.stderr).toMatch(/refusing \.\.? as the output directory: it holds the config gateway\.yaml/);
      expect(refused.stderr).not.toMatch(/this is a bug|\n\s+at /);
    }
    expect(contents(dir)).toEqual(before);
  });

  it("refuses --out naming a directory that holds files it did not write, and leaves them as they were", async () => {
    const dir = project("out-foreign", { "gateway.yaml": routeMatches, "manifests/deployment.yaml": "kind: Deployment\n", "manifests/notes.md": "mine\n" });
    const before = contents(dir);
    const refused = await cliIn(dir, "compile", "gateway.yaml", "--out", "manifests");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("holds files that 'portcullis compile' did not write (deployment.yaml, notes.md)");
    expect(refused.stderr).toContain("choose a new or empty directory with --out");
    expect(contents(dir)).toEqual(before);
  });

  it("never deletes hand-written files under generated/: --check and diff ignore them, compile refuses to mix with them", async () => {
    const dir = project("hand-written", { "gateway.yaml": routeMatches });
    expect((await cliIn(dir, "compile", "gateway.yaml")).stdout).toContain("generated: 7 files, 7 added, 0 updated, 0 removed, .portcullis-manifest added");
    writeFileSync(join(dir, "generated", "README.md"), "notes\n");
    writeFileSync(join(dir, "generated", "clusters", "hand.yaml"), "kind: ConfigMap\n");
    const check = await cliIn(dir, "compile", "--check", "gateway.yaml");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("generated: up to date (7 files)");
    expect((await cliIn(dir, "diff", "gateway.yaml", "--against", "generated")).stdout).toContain("No changes to gateway route-matches against generated.");
    const before = contents(dir);
    const refused = await cliIn(dir, "compile", "gateway.yaml");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("did not write (README.md, clusters/hand.yaml)");
    expect(contents(dir)).toEqual(before);
  });

  it("removing a route removes only that route's files; --check calls them orphaned first", async () => {
    const dir = project("orphans", { "gateway.yaml": withBilling });
    expect((await cliIn(dir, "compile", "gateway.yaml")).code).toBe(0);
    expect(readFileSync(join(dir, "generated", ".portcullis-manifest"), "utf8")).toContain("clusters/billing.yaml\n");
    writeFileSync(join(dir, "generated", ".gitattributes"), "* linguist-generated\n");
    writeFileSync(join(dir, "gateway.yaml"), routeMatches);
    const check = await cliIn(dir, "compile", "--check", "gateway.yaml");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("orphaned  clusters/billing.yaml");
    expect(check.stdout).toContain("orphaned  endpoints/billing.yaml");
    expect(check.stdout).not.toContain(".gitattributes");
    const annotated = await cliIn(dir, "compile", "--check", "--format", "github", "gateway.yaml");
    expect(annotated.stdout).toContain("::error file=generated/clusters/billing.yaml,line=1,col=1,title=PCL4020::orphaned");
    const written = await cliIn(dir, "compile", "gateway.yaml");
    expect(written.stdout).toContain("generated: 7 files, 0 added, 2 updated, 2 removed");
    expect(existsSync(join(dir, "generated", "clusters", "billing.yaml"))).toBe(false);
    expect(existsSync(join(dir, "generated", "clusters", "orders.yaml"))).toBe(true);
    expect(readFileSync(join(dir, "generated", ".gitattributes"), "utf8")).toBe("* linguist-generated\n");
    expect(readFileSync(join(dir, "generated", ".portcullis-manifest"), "utf8")).not.toContain("billing");
    expect((await cliIn(dir, "compile", "--check", "gateway.yaml")).code).toBe(0);
  });

  it("adopts output written before manifests, and a manifest never makes compile touch a file outside its directory", async () => {
    const dir = project("legacy", { "gateway.yaml": routeMatches });
    await cliIn(dir, "compile", "gateway.yaml");
    const manifest = join(dir, "generated", ".portcullis-manifest");
    rmSync(manifest);
    const check = await cliIn(dir, "compile", "--check", "gateway.yaml");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("missing   .portcullis-manifest");
    expect((await cliIn(dir, "compile", "gateway.yaml")).code).toBe(0);
    // Entries compile could never have written (conflict markers, paths out of the directory) are ignored.
    writeFileSync(manifest, `<<<<<<< HEAD\n../gateway.yaml\n/etc/hostname\n${readFileSync(manifest, "utf8")}`);
    expect((await cliIn(dir, "compile", "gateway.yaml")).code).toBe(0);
    expect(readFileSync(join(dir, "gateway.yaml"), "utf8")).toBe(routeMatches);
    expect(readFileSync(manifest, "utf8")).not.toContain("gateway.yaml");
    expect((await cliIn(dir, "compile", "--check", "gateway.yaml")).code).toBe(0);
  });
});

describe("portcullis bootstrap", () => {
  const apiType = async (...flags: string[]) => {
    const made = await cli("bootstrap", "--node-id", "edge-1", "--cluster", "shop", ...flags);
    expect(made.code, made.stderr).toBe(0);
    return (JSON.parse(made.stdout) as { dynamic_resources: { ads_config: { api_type: string } } }).dynamic_resources.ads_config.api_type;
  };

  it("connects Envoy over delta xDS unless --sotw asks for state-of-the-world", async () => {
    expect(await apiType()).toBe("DELTA_GRPC");
    expect(await apiType("--sotw")).toBe("GRPC");
  });

  it("tells a script still passing --delta that it is the default now", async () => {
    const refused = await cli("bootstrap", "--node-id", "edge-1", "--cluster", "shop", "--delta");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--delta is no longer an option: incremental xDS (DELTA_GRPC) is the default. Drop it; --sotw gives state-of-the-world.");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});
