/**
 * `portcullis up` on init's starter, as a new user runs it, through real Envoy: both of the
 * starter's host names answer (`http://127.0.0.1:PORT/...` as well as localhost), `--port` moves
 * the listener without editing the config, and the "Try:" list has a URL for every kind of route —
 * an exact path, a prefix and an unversioned route — each of which works as printed.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { GatewayConfig } from "../../src/config/types.ts";
import { runCommand, startCommand, type RunningCommand } from "../support/cli-process.ts";
import { freePorts } from "../support/ports.ts";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "portcullis.js");
let dir: string;
let up: RunningCommand;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-routing-up-"));
  const init = await runCommand(process.execPath, [cli, "init", "--yaml", "--dir", dir], { cwd: dir, timeoutMs: 60_000 });
  expect(init.code, init.stderr).toBe(0);
  const file = join(dir, "gateway.yaml");
  const [listener, backend, admin] = (await freePorts(3)) as [number, number, number];
  port = listener;
  // The starter, with its demo backend on a free port and two more kinds of route.
  const config = parse(await readFile(file, "utf8")) as GatewayConfig;
  config.providers!["hello"] = { ...config.providers!["hello"]!, endpoints: [`127.0.0.1:${backend}`] } as NonNullable<GatewayConfig["providers"]>[string];
  const api = config.apis![0]!;
  api.versions["v1"]!.routes.push({ name: "files", match: { prefix: "/files", methods: ["GET"] }, provider: "hello" });
  api.unversioned = { routes: [{ name: "health", match: { path: "/health", methods: ["GET"] }, provider: "hello", access: { public: { reason: "health probes need no identity" } } }] };
  await writeFile(file, stringify(config));
  up = startCommand(process.execPath, [cli, "up", file, "--port", String(port), "--envoy-admin-port", String(admin), "--no-watch", "--quiet-access-log"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  await up.waitFor(/Press Ctrl-C to stop/, 60_000);
}, 90_000);

afterAll(async () => {
  if (up) expect(await up.stop()).toBe(0);
  await rm(dir, { recursive: true, force: true });
});

it("serves the listener on --port, not the config's 8080", () => {
  expect(up.output()).not.toContain(":8080/");
  expect(up.output()).toContain(`http://localhost:${port}/`);
});

it("prints a URL for the exact, the prefix and the unversioned route, and each one answers", async () => {
  const printed = [...up.output().matchAll(/curl -i (http:\/\/\S+)/g)].map((match) => match[1]!);
  expect(printed).toEqual(expect.arrayContaining([`http://localhost:${port}/v1/hello`, `http://localhost:${port}/v1/hello/files/example`, `http://localhost:${port}/hello/health`]));
  for (const url of printed) {
    const response = await fetch(url);
    expect(response.status, `${url}: ${await response.text()}`).toBe(200);
  }
});

it("answers for both of the starter's host names: 127.0.0.1 is no empty 404", async () => {
  for (const host of ["localhost", "127.0.0.1"]) {
    const response = await fetch(`http://${host}:${port}/v1/hello`);
    expect(response.status, host).toBe(200);
    expect(JSON.parse(await response.text())).toMatchObject({ path: "/v1/hello" });
  }
});
