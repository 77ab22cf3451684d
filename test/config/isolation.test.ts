// A TypeScript config is code: whatever it does while it is evaluated (loop, wait forever, exit,
// pollute prototypes, start timers, hand back getters, Proxies or absurd nesting, hoard memory)
// must come back as a located finding — never a hang, a crash, a silent pass or a stack trace —
// and `serve --watch` must keep serving its last good snapshot and keep reloading.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { eventually } from "../support/http-load.ts";
import { isRunning } from "../support/processes.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

// Low enough to keep the suite quick, high enough for the evaluator to start on a busy machine.
process.env["PORTCULLIS_CONFIG_TIME_LIMIT_MS"] = "3000";

const good = (route: string) => `{
  gateway: { name: "isolated", listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
  providers: { app: { type: "service", endpoints: ["127.0.0.1:9000"], plaintext: { reason: "test backend on loopback" } } },
  apis: [{ name: "hello", owner: "team", basePath: "/hello", versions: { v1: { state: "published", access: { public: { reason: "public test API" } }, routes: [{ name: "greet", match: { path: "/${route}", methods: ["GET"] }, provider: "app" }] } } }],
}`;

/** A config: `prelude` runs first (from line 2), then the export of `exported` (defaults to a good gateway). */
const config = (prelude: string, exported = good("one")) => `import { defineGateway } from "portcullis";
${prelude}
export default defineGateway(${exported});
`;

const deepLiteral = `${"{ a: ".repeat(20_000)}1${" }".repeat(20_000)}`;

interface BrokenCase {
  readonly name: string;
  readonly source: string;
  readonly code: string;
  /** Where the finding points (line, and column where it is certain), when the failure has a place. */
  readonly at?: readonly [number, number?];
}

const broken: readonly BrokenCase[] = [
  { name: "an endless loop", source: config("let spins = 0;\nwhile (true) spins++;"), code: "PCL1025" },
  { name: "a top-level await that never settles", source: config("await new Promise(() => {});"), code: "PCL1028" },
  { name: "process.exit(0)", source: config("process.exit(0);"), code: "PCL1026", at: [2, 9] },
  { name: "a getter that throws", source: config(`const base = ${good("one")};`, `{ ...base, get apis(): never { throw new Error("no apis today"); } }`), code: "PCL1023" },
  { name: "a Proxy", source: config(`const base = ${good("one")};`, "new Proxy(base, {})"), code: "PCL1023", at: [7, 30] },
  {
    name: "20,000 levels of nesting built at run time",
    source: config("let deep: object = {};\nfor (let i = 0; i < 20_000; i++) deep = { deep };", `{ ...${good("one")}, deep } as never`),
    code: "PCL1024",
  },
  { name: "20,000 levels of nesting written out", source: config(`const deep = ${deepLiteral};`, "{ deep } as never"), code: "PCL1024", at: [2, 514] },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-isolation-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(name: string, source: string) {
  const file = join(dir, `${name}.ts`);
  await writeFile(file, source);
  return { file, loaded: await loadConfig(file) };
}

describe("evaluating a config that misbehaves", () => {
  for (const { name, source, code, at } of broken) {
    it(`reports ${name} as ${code}, located, without a stack trace`, async () => {
      const { file, loaded } = await load(name.replace(/\W+/g, "-"), source);
      expect(loaded.config).toBeUndefined();
      const finding = loaded.diagnostics.find((d) => d.code === code);
      expect(finding, JSON.stringify(loaded.diagnostics)).toBeDefined();
      expect(finding!.location?.file).toBe(file);
      if (at) expect([finding!.location?.line, finding!.location?.column].slice(0, at.length)).toEqual(at);
      for (const d of loaded.diagnostics) expect(d.message).not.toMatch(/\n\s+at /);
    });
  }

  it("reports running out of memory as PCL1027", async () => {
    // Filling the heap takes a while on a busy machine: this one must not run out of time first.
    process.env["PORTCULLIS_CONFIG_TIME_LIMIT_MS"] = "60000";
    try {
      const { loaded } = await load("hoard", config("const hoard: number[][] = [];\nfor (;;) hoard.push(new Array(10_000_000).fill(0));"));
      expect(loaded.diagnostics.map((d) => d.code)).toContain("PCL1027");
    } finally {
      process.env["PORTCULLIS_CONFIG_TIME_LIMIT_MS"] = "3000";
    }
  }, 90_000);

  it("keeps a config's Object.prototype pollution to the config", async () => {
    const { loaded } = await load("pollute", config('(Object.prototype as Record<string, unknown>)["polluted"] = "yes";'));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.config?.apis?.[0]?.name).toBe("hello");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("places a finding thrown in a local module at that module's line", async () => {
    await writeFile(join(dir, "helper.ts"), "export function routes(): never {\n  throw new Error(\"not yet\");\n}\n");
    const { loaded } = await load("imports-a-thrower", config('import { routes } from "./helper.ts";\nroutes();'));
    expect(loaded.diagnostics.find((d) => d.code === "PCL1021")?.location).toMatchObject({ file: join(dir, "helper.ts"), line: 2, column: 9 });
  });
});

describe("the CLI with a config that misbehaves", () => {
  const root = join(import.meta.dirname, "..", "..");
  const portcullis = async (args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [join(root, "src", "cli", "main.ts"), ...args], { cwd: root, timeout: 30_000 });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number | null; killed: boolean; stdout: string };
      return { code: failed.killed ? "killed" : failed.code, stdout: failed.stdout };
    }
  };

  it("compile --check fails (exit 1) when the config calls process.exit(0)", async () => {
    const file = join(dir, "exits.ts");
    await writeFile(file, config("process.exit(0);"));
    const result = await portcullis(["compile", "--check", file, "--out", join(dir, "exits-out")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("exits.ts:2:9: error PCL1026: the config called process.exit(0)");
  });

  it("compile exits when the config leaves an interval running", async () => {
    const file = join(dir, "interval.ts");
    await writeFile(file, config("setInterval(() => {}, 1000);"));
    expect((await portcullis(["compile", file, "--out", join(dir, "interval-out")])).code).toBe(0);
  });
});

describe("serve --watch with a config that misbehaves", () => {
  let serve: ServeProcess;
  let file: string;
  // A generous timeout: a busy test machine may be slow to answer, and a hung one still fails.
  const admin = (path: string) => fetch(`http://127.0.0.1:${serve.adminPort}${path}`, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
  const healthz = async () => (await admin("/healthz"))?.status;
  const status = async () => {
    const body = (await (await admin("/status"))?.json()) as { gateways: { version: string | null; upToDate: boolean; diagnostics: { code: string }[] }[] } | undefined;
    return body?.gateways[0] ?? { version: null, upToDate: false, diagnostics: [] };
  };

  beforeAll(async () => {
    file = join(dir, "served", "gateway.config.ts");
    await mkdir(join(dir, "served"));
    await writeFile(file, config("", good("r0")));
    const [xdsPort, adminPort] = (await freePorts(2)) as [number, number];
    serve = await startServe(file, { xdsPort, adminPort, watch: true });
  });
  afterAll(() => {
    serve?.child.kill("SIGKILL");
  });

  it("keeps the last good snapshot and stays responsive through every broken edit, and reloads after each", async () => {
    let version = (await status()).version;
    expect(version).not.toBeNull();
    const edits = [...broken, { name: "a prototype pollution", source: config('(Object.prototype as Record<string, unknown>)["polluted"] = "yes";\nsetInterval(() => {}, 10);', good("polluted")), code: "" }];
    for (const [index, { name, source, code }] of edits.entries()) {
      await writeFile(file, source);
      if (code) {
        // Every probe of /healthz is answered while the config runs (the endless loop spins in
        // its own process meanwhile).
        const broke = await eventually(async () => ({ healthz: await healthz(), now: await status() }), (s) => {
          expect(s.healthz, `/healthz while evaluating ${name}`).toBe(200);
          return s.now.diagnostics.some((d) => d.code === code);
        }, `${name} to be reported`, 60_000);
        expect(broke.now).toMatchObject({ version, upToDate: false });
      }
      await writeFile(file, config("", good(`r${index + 1}`)));
      const next = await eventually(status, (s) => s.upToDate && s.version !== version, `the edit after ${name} to be served`, 30_000);
      version = next.version;
    }
    expect(serve.child.exitCode).toBeNull();
  }, 300_000);
});

describe("serve killed while a config loops", () => {
  it("takes the config's evaluator down with it, even on SIGKILL", async () => {
    const file = join(dir, "killed", "gateway.config.ts");
    await mkdir(join(dir, "killed"));
    await writeFile(file, config("", good("r0")));
    const [xdsPort, adminPort] = (await freePorts(2)) as [number, number];
    // A time limit far beyond the test: only serve's death can end this evaluator.
    const serve = await startServe(file, { xdsPort, adminPort, watch: true, env: { PORTCULLIS_CONFIG_TIME_LIMIT_MS: "600000" } });
    try {
      await writeFile(file, config("while (true) {}"));
      const children = () => readFileSync(`/proc/${serve.child.pid}/task/${serve.child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
      const [evaluator] = await eventually(async () => children(), (pids) => pids.length > 0, "the evaluator to start");
      serve.child.kill("SIGKILL");
      await serve.exited;
      await eventually(async () => isRunning(evaluator!), (running) => !running, "the evaluator to die with serve", 10_000);
    } finally {
      serve.child.kill("SIGKILL");
    }
  });
});
