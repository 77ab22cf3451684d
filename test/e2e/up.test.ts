// `portcullis up` is the README's first command: this runs it as a user would (a child process
// on the quickstart example), calls the gateway through real Envoy, then stops it with SIGINT.
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { isRunning } from "../support/processes.ts";

const root = join(import.meta.dirname, "..", "..");

async function waitForOutput(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether this process could listen on the port right now. */
async function canListen(port: number, host: string): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The pid `up` prints for its Envoy. */
function envoyPidIn(output: string): number {
  const pid = /Envoy \S+ is serving \(pid (\d+),/.exec(output)?.[1];
  if (!pid) throw new Error(`up printed no Envoy pid:\n${output}`);
  return Number(pid);
}

/** Runs `up` on a config directory until it exits by itself (a wrongly started gateway is stopped after 40 s). */
async function upUntilExit(dir: string, envoyAdminPort: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "up", dir, "--envoy-admin-port", String(envoyAdminPort)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGINT"), 40_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output };
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
    // The last line up prints once it is serving: the URLs to call come in writes after "Portcullis is up".
    await waitForOutput(() => output, /Press Ctrl-C to stop/, 45_000);
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

  it("a second up on the same ports fails, naming each taken port and who holds it, instead of reporting Envoy as serving", async () => {
    const [backend] = await freePorts(1);
    const second = await quickstartCopy(listenerPort, backend!);
    const { code, output: refused } = await upUntilExit(second, envoyAdminPort);
    await rm(second, { recursive: true, force: true });
    expect(code).toBe(2);
    const holder = `is held by the Envoy of another 'portcullis up' (pid ${envoyPidIn(output)})`;
    expect(refused).toContain(`127.0.0.1:${envoyAdminPort} (Envoy's admin interface) ${holder}: stop it (kill ${envoyPidIn(output)}), or choose another port with --envoy-admin-port`);
    expect(refused).toMatch(new RegExp(`127\\.0\\.0\\.1:${listenerPort} \\(listener "local"\\) ${holder.replace(/[()]/g, "\\$&")}: .*change the listener's port in .*gateway\\.yaml`));
    expect(refused).not.toMatch(/is serving|Portcullis is up/);
    // The running gateway is untouched.
    expect((await fetch(`http://127.0.0.1:${listenerPort}/v1/hello`, { headers: { host: "localhost" } })).status).toBe(200);
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
    return upUntilExit(dir, admin!);
  }

  it("stops, naming the port and its holder, when the listener port is taken, instead of claiming to be up", async () => {
    const [backend] = await freePorts(1);
    const { code, output } = await up(busyPort, backend!);
    expect(code).toBe(2);
    expect(output).toContain(`127.0.0.1:${busyPort} (listener "local") is held by pid ${process.pid} (`);
    expect(output).toMatch(/stop it \(kill \d+\), or change the listener's port in .*gateway\.yaml/);
    expect(output).not.toContain("Portcullis is up");
  });

  it("stops when Envoy's admin port is taken, instead of taking whatever answers there for its Envoy", async () => {
    const dir = await quickstartCopy(...((await freePorts(2)) as [number, number]));
    dirs.push(dir);
    const { code, output } = await upUntilExit(dir, busyPort);
    expect(code).toBe(2);
    expect(output).toContain(`127.0.0.1:${busyPort} (Envoy's admin interface) is held by pid ${process.pid} (`);
    expect(output).not.toMatch(/is serving|Portcullis is up/);
  });

  it("says which demo backend cannot listen, not that Portcullis has a bug", async () => {
    const [listener] = await freePorts(1);
    const { code, output } = await up(listener!, busyPort);
    expect(code).toBe(2);
    expect(output).toMatch(/cannot listen for the demo backend "demo" on 127\.0\.0\.1:\d+: the port is already in use/);
    expect(output).not.toMatch(/this is a bug/);
  });
});

describe("portcullis up killed with SIGKILL", () => {
  it("takes its Envoy and demo backend with it: the processes are gone and the ports free", async () => {
    const [listener, backend, admin] = (await freePorts(3)) as [number, number, number];
    const dir = await quickstartCopy(listener, backend);
    const child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "up", dir, "--envoy-admin-port", String(admin)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForOutput(() => output, /Portcullis is up/, 45_000);
      const envoyPid = envoyPidIn(output);
      expect(isRunning(envoyPid)).toBe(true);
      child.kill("SIGKILL");
      await eventually(async () => isRunning(envoyPid), (running) => !running, `Envoy (pid ${envoyPid}) to exit after up was SIGKILLed`, 10_000);
      // The kernel frees a killed process's sockets as its last thread exits: shortly after, not at once.
      for (const port of [listener, backend, admin]) await eventually(() => canListen(port, "127.0.0.1"), (free) => free, `port ${port} to be free`, 10_000);
    } finally {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
