import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findEnvoy } from "../../src/envoy/binary.ts";
import { freePort } from "./ports.ts";

export interface RunningEnvoy {
  readonly adminPort: number;
  readonly adminUrl: string;
  /** Everything Envoy wrote to stdout and stderr so far (access logs go to stdout). */
  output(): string;
  /** GET on the admin interface, e.g. `/config_dump` or `/stats?filter=...`. */
  admin(path: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartEnvoyOptions {
  /** The bootstrap as Envoy's JSON form; `admin` is filled in with a free 127.0.0.1 port when absent. */
  readonly bootstrap: Record<string, unknown>;
  /** Waits for `/ready` (the default) or only for the admin interface to answer. */
  readonly waitFor?: "ready" | "admin";
  readonly timeoutMs?: number;
  readonly logLevel?: string;
}

const running = new Map<RunningEnvoy, ChildProcess>();

/**
 * Starts a real Envoy from a bootstrap and waits until its admin `/ready` says LIVE. Each Envoy
 * gets its own temp dir and base id so several run side by side; `stop()` (and process exit)
 * kills it and removes the temp dir.
 */
export async function startEnvoy(options: StartEnvoyOptions): Promise<RunningEnvoy> {
  const dir = await mkdtemp(join(tmpdir(), "portcullis-envoy-"));
  const adminPort = await freePort();
  const bootstrap = {
    ...options.bootstrap,
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: adminPort } } },
  };
  const configPath = join(dir, "bootstrap.json");
  await writeFile(configPath, JSON.stringify(bootstrap, null, 2));
  let output = "";
  const child: ChildProcess = spawn(
    findEnvoy(),
    [
      "-c", configPath,
      "--base-id", String(adminPort), // shared-memory id; unique per instance so Envoys can coexist
      "--log-level", options.logLevel ?? "warn",
      "--concurrency", "1",
      "--disable-hot-restart",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const adminUrl = `http://127.0.0.1:${adminPort}`;

  const envoy: RunningEnvoy = {
    adminPort,
    adminUrl,
    output: () => output,
    admin: async (path) => (await fetch(`${adminUrl}${path}`)).text(),
    stop: async () => {
      running.delete(envoy);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  running.set(envoy, child);

  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      await envoy.stop();
      throw new Error(`Envoy exited with code ${exitCode} before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${adminUrl}/ready`);
      const body = await response.text();
      if ((options.waitFor ?? "ready") === "admin" || body.trim() === "LIVE") return envoy;
    } catch {
      // admin not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await envoy.stop();
  throw new Error(`Envoy was not ready within ${options.timeoutMs ?? 15_000} ms:\n${output}`);
}

/** Stops every Envoy a test file started; call from afterAll so a failed test leaks no process. */
export async function stopAllEnvoys(): Promise<void> {
  await Promise.all([...running.keys()].map((envoy) => envoy.stop()));
}

// A crashed test run must not leave Envoys behind; only synchronous work is possible at exit.
process.once("exit", () => {
  for (const child of running.values()) child.kill("SIGKILL");
});
