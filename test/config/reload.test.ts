// serve --watch and up re-load a TypeScript config in the same process after every edit: the new
// model must reflect the edit, also when it is in a local module the config imports, and nothing
// of the earlier copies may stay behind.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";

const routesModule = (path: string) => `export const routes = [{ name: "greet", match: { path: "${path}", methods: ["GET" as const] }, provider: "app" }];\n`;

const config = `import { defineGateway } from "portcullis";
import { routes } from "./routes.ts";

export default defineGateway({
  gateway: { name: "reload", listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
  providers: { app: { type: "service", endpoints: ["127.0.0.1:9000"], plaintext: { reason: "test backend on loopback" } } },
  apis: [{ name: "hello", owner: "team", basePath: "/hello", versions: { v1: { state: "published", access: { public: { reason: "public test API" } }, routes } } }],
});
`;

describe("re-loading a TypeScript config in one process", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-reload-"));
    await writeFile(join(dir, "gateway.config.ts"), config);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const firstRoutePath = async () => {
    const loaded = await loadConfig(join(dir, "gateway.config.ts"));
    expect(loaded.diagnostics).toEqual([]);
    return loaded.config?.apis?.[0]?.versions["v1"]?.routes[0]?.match.path;
  };

  it("sees an edit to a module the config imports, not only to the config itself", async () => {
    await writeFile(join(dir, "routes.ts"), routesModule("/one"));
    expect(await firstRoutePath()).toBe("/one");
    await writeFile(join(dir, "routes.ts"), routesModule("/two"));
    expect(await firstRoutePath()).toBe("/two");
  });
});

/**
 * A local module of about 2 MB (a list of strings) that exports a tag, so each reload sees a
 * different one. The tag is patched into one buffer in place: building and writing a new 2 MB
 * string per reload would grow this process's own memory and blur what is measured.
 */
const largeModule = Buffer.from(`export const padding = [${Array.from({ length: 20_000 }, (_, i) => JSON.stringify(`${i}-${"x".repeat(90)}`)).join(",")}];\nexport const tag = ${" ".repeat(6)};\n`);
const tagOffset = largeModule.lastIndexOf(" ".repeat(6));
const withTag = (tag: number) => {
  largeModule.write(String(tag).padStart(6, " "), tagOffset);
  return largeModule;
};

const largeConfig = `import { defineGateway } from "portcullis";
import { padding, tag } from "./large.mjs";

export default defineGateway({
  gateway: { name: "reload", listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
  providers: { app: { type: "service", endpoints: ["127.0.0.1:9000"], plaintext: { reason: "test backend on loopback" } } },
  apis: [{ name: "hello", owner: "team", basePath: "/hello", versions: { v1: { state: "published", access: { public: { reason: "public test API" } },
    routes: [{ name: "greet", match: { path: \`/v\${tag}/\${padding.length}\`, methods: ["GET"] }, provider: "app" }] } } }],
});
`;

describe("re-loading a config that imports a large module", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-reload-large-"));
    await writeFile(join(dir, "gateway.config.mjs"), largeConfig);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const RELOADS = 300;

  it(`keeps memory flat over ${RELOADS} reloads, each seeing the edited module`, async () => {
    const reload = async (tag: number) => {
      await writeFile(join(dir, "large.mjs"), withTag(tag));
      const loaded = await loadConfig(join(dir, "gateway.config.mjs"));
      expect(loaded.diagnostics).toEqual([]);
      expect(loaded.config?.apis?.[0]?.versions["v1"]?.routes[0]?.match.path).toBe(`/v${tag}/20000`);
    };
    // Warm up first: the loader's own code and the first evaluations set the baseline.
    for (let tag = 0; tag < 10; tag++) await reload(tag);
    const before = process.memoryUsage.rss();
    for (let tag = 10; tag < RELOADS; tag++) await reload(tag);
    const grewMb = (process.memoryUsage.rss() - before) / 2 ** 20;
    // Each copy kept would add megabytes (the module's source and strings): 290 of them, hundreds.
    expect(grewMb).toBeLessThan(100);
  }, 600_000);
});
