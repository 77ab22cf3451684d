// `portcullis up` is the README's first command: this runs it as a user would (a child process
// on the quickstart example), calls the gateway through real Envoy, then stops it with SIGINT.
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../support/ports.ts";

const root = join(import.meta.dirname, "..", "..");

async function waitForOutput(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The quickstart example in a temp dir, on the given listener and demo-backend ports. */
async function quickstartCopy(listenerPort: number, backendPort: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "portcullis-up-test-"));
  await cp(join(root, "examples", "quickstart"), dir, { recursive: true });
  const config = (await readFile(join(dir, "gateway.yaml"), "utf8"))
    .replace(/port: 10000/, `port: ${listenerPort}`)
    .replaceAll("127.0.0.1:18080", `127.0.0.1:${backendPort}`)
    .replace("../../schema/", `${join(root, "schema")}/`);
  await writeFile(join(dir, "gateway.yaml"), config);
  return dir;
}

describe("portcullis up on the quickstart example", () => {
  let dir: string;
  let child: ChildProcess;
  let output = "";
  let listenerPort: number;
  let envoyAdminPort: number;

  beforeAll(async () => {
    // A copy of the example on free ports, so the test never collides with a running gateway.
    const [listener, backend, admin] = await freePorts(3);
    listenerPort = listener!;
    envoyAdminPort = admin!;
    dir = await quickstartCopy(listenerPort, backend!);

    child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "up", dir, "--envoy-admin-port", String(envoyAdminPort)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(() => output, /Portcullis is up/, 45_000);
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("prints progress and the URLs to call", () => {
    expect(output).toMatch(/compiled .*gateway\.yaml → gateway "quickstart"/);
    expect(output).toMatch(/demo backend "demo" on http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/Envoy 1\.40\.0 is serving/);
    expect(output).toContain(`curl -i http://localhost:${listenerPort}/v1/hello`);
  });

  it("serves the published version through Envoy to the demo backend", async () => {
    const response = await fetch(`http://127.0.0.1:${listenerPort}/v1/hello`, { headers: { host: "localhost" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service: "demo", method: "GET", path: "/v1/hello" });
  });

  it("marks the deprecated version with lifecycle headers", async () => {
    const response = await fetch(`http://127.0.0.1:${listenerPort}/v0/hello`, { headers: { host: "localhost" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("sunset")).toBe("Tue, 31 Dec 2030 00:00:00 GMT");
    expect(response.headers.get("link")).toContain('rel="successor-version"');
  });

  it("prints Envoy's access log", async () => {
    await waitForOutput(() => output, /access │ \{.*"path":"\/v1\/hello"/, 10_000);
  });

  it("stops everything on Ctrl-C (SIGINT) and exits 0", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    // Envoy and the demo backend are gone with it.
    await expect(fetch(`http://127.0.0.1:${envoyAdminPort}/ready`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${listenerPort}/v1/hello`)).rejects.toThrow();
  });
});

describe("portcullis up when a port it needs is taken", () => {
  let busy: Server;
  let busyPort: number;
  const dirs: string[] = [];
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    busy.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function up(listenerPort: number, backendPort: number): Promise<{ code: number | null; output: string }> {
    const dir = await quickstartCopy(listenerPort, backendPort);
    dirs.push(dir);
    const [admin] = await freePorts(1);
    const child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "up", dir, "--envoy-admin-port", String(admin)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGINT"), 40_000); // a wrongly started gateway would run forever
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    return { code, output };
  }

  it("stops with the reason when Envoy cannot bind the listener port, instead of claiming to be up", async () => {
    const [backend] = await freePorts(1);
    const { code, output } = await up(busyPort, backend!);
    expect(code).toBe(2);
    expect(output).toMatch(/Envoy rejected the Listener config: .*cannot bind/);
    expect(output).toMatch(/fix: free that port, or change the listener's port in .*gateway\.yaml/);
    expect(output).not.toContain("Portcullis is up");
  });

  it("says which demo backend cannot listen, not that Portcullis has a bug", async () => {
    const [listener] = await freePorts(1);
    const { code, output } = await up(listener!, busyPort);
    expect(code).toBe(2);
    expect(output).toMatch(/cannot listen for the demo backend "demo" on 127\.0\.0\.1:\d+: the port is already in use/);
    expect(output).not.toMatch(/this is a bug/);
  });
});
