// Portcullis as a team installs it: `npm pack` of this repository, `npm install <tarball>` into a
// new project outside it, then what the README tells that team to run — init, tsc on the starter,
// compile --check, up with a request through Envoy — from the project's own node_modules.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findEnvoy } from "../../src/envoy/binary.ts";
import { runCommand, startCommand, type CommandResult } from "../support/cli-process.ts";
import { freePorts } from "../support/ports.ts";

const root = join(import.meta.dirname, "..", "..");

/**
 * The environment of a user's shell: this repository's Node first on PATH (the one the tests run
 * on) but none of its tools, no variables `npm test` set, and a cache directory of its own.
 */
function userEnvironment(cacheDir: string): NodeJS.ProcessEnv {
  const path = (process.env["PATH"] ?? "").split(delimiter).filter((dir) => dir && !resolve(dir).startsWith(root));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_|^INIT_CWD$|^PORTCULLIS_/i.test(name)));
  return { ...env, PATH: [dirname(process.execPath), ...path].join(delimiter), PORTCULLIS_CACHE_DIR: cacheDir, NO_COLOR: "1" };
}

describe("the npm package, installed into a project outside the repository", () => {
  let work: string;
  let project: string;
  let tarball: string;
  let packed: string[];
  let env: NodeJS.ProcessEnv;
  const npx = (args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> =>
    runCommand("npx", ["--no-install", ...args], { cwd: project, env: options.env ?? env, timeoutMs: options.timeoutMs ?? 60_000 });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "portcullis-package-"));
    env = userEnvironment(join(work, "cache"));
    // `npm pack` runs the prepare script, which builds dist/.
    const pack = await runCommand("npm", ["pack", "--pack-destination", work, "--loglevel=error"], { cwd: root, env, timeoutMs: 180_000 });
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
    tarball = join(work, readdirSync(work).find((name) => name.endsWith(".tgz"))!);
    packed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean).map((name) => name.replace(/^package\//, ""));

    project = join(work, "team-gateway");
    await mkdir(project);
    // What `npm init -y` writes today: a CommonJS package, which a TypeScript config must survive.
    await writeFile(join(project, "package.json"), `${JSON.stringify({ name: "team-gateway", version: "1.0.0", type: "commonjs", private: true }, null, 2)}\n`);
    const install = await runCommand("npm", ["install", "--save-dev", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: project, env, timeoutMs: 180_000 });
    if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stdout}\n${install.stderr}`);
  }, 360_000);

  afterAll(() => rm(work, { recursive: true, force: true }));

  it("packs the built JavaScript with its .d.ts, the schema, the policy packs and the bin, and no sources or tests", () => {
    for (const file of ["bin/portcullis.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/config/types.d.ts", "dist/src/cli/main.js", "schema/gateway.schema.json", "package.json", "README.md"]) {
      expect(packed, file).toContain(file);
    }
    expect(packed.some((file) => file.startsWith("dist/generated/envoy/"))).toBe(true);
    const policies = execFileSync("git", ["ls-files", "policies"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
    for (const file of policies) expect(packed, file).toContain(file);
    expect(packed.filter((file) => /^(src|test|scripts|examples)\//.test(file) || (file.endsWith(".ts") && !file.endsWith(".d.ts")))).toEqual([]);
  });

  it("installs with its runtime dependencies and nothing of the repository's own tooling", () => {
    expect(existsSync(join(project, "node_modules", "portcullis", "dist", "src", "index.js"))).toBe(true);
    // The type checker for configs is a dependency; the repository's pinned Node binary is not.
    expect(existsSync(join(project, "node_modules", "typescript", "package.json"))).toBe(true);
    expect(existsSync(join(project, "node_modules", ".bin", "node"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "vitest"))).toBe(false);
  });

  it("init writes a starter whose YAML $schema is the installed package's schema, resolvable from the project", async () => {
    const typescript = await npx(["portcullis", "init"]);
    expect(typescript.stderr).toBe("");
    expect(typescript.code).toBe(0);
    expect(await readFile(join(project, "gateway.config.ts"), "utf8")).toMatch(/^import \{ defineGateway \} from "portcullis";/);

    const yaml = await npx(["portcullis", "init", "--yaml", "--dir", "yaml-gateway"]);
    expect(yaml.code).toBe(0);
    const header = (await readFile(join(project, "yaml-gateway", "gateway.yaml"), "utf8")).split("\n")[0]!;
    expect(header).toBe("# yaml-language-server: $schema=../node_modules/portcullis/schema/gateway.schema.json");
    const schema = resolve(project, "yaml-gateway", header.slice(header.indexOf("=") + 1));
    expect(JSON.parse(await readFile(schema, "utf8")).$id).toMatch(/gateway\.schema\.json$/);
    expect(header).not.toContain(root);
  });

  it("type-checks the starter with the project's tsc: 'portcullis' resolves to the package's types", async () => {
    const clean = await npx(["tsc", "--noEmit", "gateway.config.ts"]);
    expect(clean.stdout + clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    // Real types, not `any`: a misspelt option is an error.
    await writeFile(join(project, "misspelt.ts"), (await readFile(join(project, "gateway.config.ts"), "utf8")).replace("listeners:", "listners:"));
    const misspelt = await npx(["tsc", "--noEmit", "misspelt.ts"]);
    await rm(join(project, "misspelt.ts"));
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.stdout).toMatch(/misspelt\.ts\(\d+,\d+\): error TS2561: .*'listners'.*Did you mean to write 'listeners'\?/);
  });

  it("carries the options' documentation to the editor (the language service's hover text)", () => {
    const ts = createRequire(join(project, "package.json"))("typescript") as typeof import("typescript");
    const file = join(project, "gateway.config.ts");
    const text = ts.sys.readFile(file)!;
    const service = ts.createLanguageService({
      getScriptFileNames: () => [file],
      getScriptVersion: () => "1",
      getScriptSnapshot: (name) => (ts.sys.fileExists(name) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(name)!) : undefined),
      getCurrentDirectory: () => project,
      getCompilationSettings: () => ({ strict: true, noEmit: true, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler }),
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
    });
    const hover = service.getQuickInfoAtPosition(file, text.indexOf("basePath"));
    expect(ts.displayPartsToString(hover?.displayParts)).toContain("basePath");
    expect(ts.displayPartsToString(hover?.documentation).length).toBeGreaterThan(20);
  });

  it("compile --check passes on the starter init wrote", async () => {
    const check = await npx(["portcullis", "compile", "--check"]);
    expect(check.stdout).toContain("gateway.config.ts: ok");
    expect(check.stdout).not.toMatch(/warning/);
    expect(check.code).toBe(0);
  });

  it("passes the CI recipe's steps (examples/ci/github-actions.yml) on the Node version it sets up", async () => {
    const workflow = parse(await readFile(join(root, "examples", "ci", "github-actions.yml"), "utf8")) as { jobs: Record<string, { steps: { run?: string; with?: Record<string, unknown> }[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const nodeVersion = Number(steps.find((step) => step.with?.["node-version"] !== undefined)?.with?.["node-version"]);
    const engines = JSON.parse(await readFile(join(root, "package.json"), "utf8")).engines.node as string;
    expect(nodeVersion).toBeGreaterThanOrEqual(Number(/>=(\d+)/.exec(engines)![1]));
    const commands = steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(commands).toContain("npx portcullis compile --check --format github");
    for (const command of commands.filter((run) => run.startsWith("npx "))) {
      const result = await npx(command.split(" ").slice(1));
      expect(result.code, `${command}\n${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).not.toMatch(/^::(error|warning)/m);
    }
  });

  it("says how to install Envoy when there is none: npx portcullis setup-envoy", async () => {
    const noEnvoy = { ...env, PATH: [dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter) };
    const validate = await npx(["portcullis", "validate"], { env: noEnvoy });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain("npx portcullis setup-envoy");
    expect(validate.stderr).not.toMatch(/\n\s+at /);
  });

  it("up serves the starter through real Envoy", async () => {
    const [listener, backend, admin] = (await freePorts(3)) as [number, number, number];
    const configFile = join(project, "gateway.config.ts");
    await writeFile(configFile, (await readFile(configFile, "utf8")).replace("port: 8080", `port: ${listener}`).replace("127.0.0.1:3000", `127.0.0.1:${backend}`));
    // The bin npx runs, started directly so that SIGINT reaches it as a terminal's Ctrl-C would.
    const up = startCommand(join(project, "node_modules", ".bin", "portcullis"), ["up", "--envoy-admin-port", String(admin), "--no-watch"], {
      cwd: project,
      // Envoy from this repository's .venv, not a second download (setup-envoy's own test installs one).
      env: { ...env, PORTCULLIS_ENVOY: findEnvoy() },
    });
    try {
      await up.waitFor(/Portcullis is up/, 60_000);
      // The URL up prints for the starter.
      const response = await fetch(`http://localhost:${listener}/v1/hello`);
      expect(up.output()).toContain(`curl -i http://localhost:${listener}/v1/hello`);
      const body = await response.text();
      expect(response.status, `${body}\n${up.output()}`).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ method: "GET", path: "/v1/hello" });
    } finally {
      expect(await up.stop()).toBe(0);
    }
  });
});
