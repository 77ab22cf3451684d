// serve --watch and up re-load a TypeScript config in the same process after every edit: the new
// model must reflect the edit, also when it is in a local module the config imports.
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
