// serve --watch follows what the config uses: the config file, its local imports and the files
// it names; an editor's save-by-rename and a mounted secret's symlink swap are seen; a write to
// any other file recompiles nothing.
import { copyFileSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import { isRuleId } from "../../src/policy/codes.ts";
import { watchConfigs, type ConfigWatcher } from "../../src/server/config-watcher.ts";
import { silentLogger } from "../../src/server/log.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { eventually } from "../support/http-load.ts";

const routes = (path: string) => `export const routes = [{ name: "greet", match: { path: "${path}", methods: ["GET" as const] }, provider: "app" }];\n`;

const config = (imports: boolean) => `import { defineGateway, file } from "portcullis";
${imports ? 'import { routes } from "./routes.ts";' : 'const routes = [{ name: "inline", match: { path: "/inline", methods: ["GET" as const] }, provider: "app" }];'}

export default defineGateway({
  gateway: { name: "followed", listeners: [{ name: "web", port: 8443, hostnames: ["api.test"], tls: { certificate: file("tls/server.pem"), privateKey: file("tls/server.key") } }] },
  providers: { app: { type: "service", endpoints: ["127.0.0.1:9000"], plaintext: { reason: "test backend on loopback" } } },
  apis: [{ name: "hello", owner: "team", basePath: "/hello", versions: { v1: { state: "published", access: { public: { reason: "public test API" } }, routes } } }],
});
`;

let dir: string;
let pki: TestPki;
let watcher: ConfigWatcher;
/** The change that started each recompile, in order. */
const recompiles: string[] = [];

/** Lays out tls/ as a Kubernetes secret volume does: tls/x → ..data/x, ..data → a version directory. */
function mountSecret(version: string, certFile: string, keyFile: string): void {
  mkdirSync(join(dir, "tls", version));
  copyFileSync(certFile, join(dir, "tls", version, "server.pem"));
  copyFileSync(keyFile, join(dir, "tls", version, "server.key"));
  symlinkSync(version, join(dir, "tls", "..data_tmp"));
  renameSync(join(dir, "tls", "..data_tmp"), join(dir, "tls", "..data"));
}

let compiling = 0;

/** Waits until the watcher is idle: no compile running and none started for a while (writes have settled). */
async function settled(): Promise<number> {
  let seen = -1;
  while (compiling > 0 || seen !== recompiles.length) {
    seen = recompiles.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  return recompiles.length;
}

/** Waits for a recompile, after the `since`-th, started by a change to a path that matches. */
async function recompiledFor(since: number, path: string | RegExp): Promise<string> {
  const matches = (changed: string) => (typeof path === "string" ? changed === path : path.test(changed));
  const found = await eventually(async () => recompiles.slice(since).find(matches), (changed) => changed !== undefined, `a recompile for ${String(path)}`, 30_000);
  return found!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-watch-"));
  pki = createTestPki();
  const first = pki.issue("first", ["DNS:api.test"]);
  mkdirSync(join(dir, "tls"));
  mountSecret("v1", first.certFile, first.keyFile);
  symlinkSync("..data/server.pem", join(dir, "tls", "server.pem"));
  symlinkSync("..data/server.key", join(dir, "tls", "server.key"));
  writeFileSync(join(dir, "routes.ts"), routes("/one"));
  writeFileSync(join(dir, "gateway.config.ts"), config(true));
  const initial = await compileGatewayFile(join(dir, "gateway.config.ts"));
  expect(initial.diagnostics.filter((d) => !isRuleId(d.code))).toEqual([]);
  expect([...initial.files].sort()).toEqual([join(dir, "gateway.config.ts"), join(dir, "routes.ts"), join(dir, "tls", "server.key"), join(dir, "tls", "server.pem")]);
  watcher = watchConfigs({
    initial: [initial],
    compile: async (file) => {
      compiling++;
      try {
        return await compileGatewayFile(file);
      } finally {
        compiling--;
      }
    },
    apply: () => {},
    log: {
      ...silentLogger,
      info: (message, fields) => {
        if (message === "config changed; recompiling") recompiles.push(String(fields?.["changed"]));
      },
    },
  });
});

afterAll(async () => {
  watcher?.close();
  pki?.remove();
  await rm(dir, { recursive: true, force: true });
});

it("recompiles nothing for writes to files the config does not use", async () => {
  const before = await settled();
  writeFileSync(join(dir, "notes.yaml"), "not: a config\n");
  writeFileSync(join(dir, "other.ts"), "export const other = 1;\n");
  writeFileSync(join(dir, "tls", "README"), "mounted secret\n");
  expect(await settled()).toBe(before);
});

it("recompiles when a local module the config imports changes", async () => {
  const before = await settled();
  writeFileSync(join(dir, "routes.ts"), routes("/two"));
  await recompiledFor(before, join(dir, "routes.ts"));
});

it("recompiles when an editor saves the config by rename", async () => {
  const before = await settled();
  writeFileSync(join(dir, ".gateway.config.ts.swp"), config(true));
  renameSync(join(dir, ".gateway.config.ts.swp"), join(dir, "gateway.config.ts"));
  await recompiledFor(before, join(dir, "gateway.config.ts"));
});

it("recompiles when a mounted secret is rotated by swapping its symlink, and follows the new version", async () => {
  let before = await settled();
  const second = pki.issue("second", ["DNS:api.test"]);
  mountSecret("v2", second.certFile, second.keyFile);
  rmSync(join(dir, "tls", "v1"), { recursive: true });
  await recompiledFor(before, /tls\/v1\/server\.(pem|key)$/);
  // The next rotation is seen through the new version directory.
  before = await settled();
  const third = pki.issue("third", ["DNS:api.test"]);
  mountSecret("v3", third.certFile, third.keyFile);
  rmSync(join(dir, "tls", "v2"), { recursive: true });
  await recompiledFor(before, /tls\/v2\/server\.(pem|key)$/);
});

it("stops following a module the config no longer imports", async () => {
  let before = await settled();
  writeFileSync(join(dir, "gateway.config.ts"), config(false));
  await recompiledFor(before, join(dir, "gateway.config.ts"));
  before = await settled();
  writeFileSync(join(dir, "routes.ts"), routes("/three"));
  expect(await settled()).toBe(before);
});
