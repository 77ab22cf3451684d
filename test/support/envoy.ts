import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEnvoyProcess, type EnvoyProcess } from "../../src/envoy/process.ts";
import { freePort } from "./ports.ts";

export interface RunningEnvoy {
  readonly adminPort: number;
  readonly adminUrl: string;
  /** Everything Envoy wrote to stdout and stderr so far (access logs go to stdout). */
  output(): string;
  /** The complete JSON lines Envoy wrote to stdout so far: its access log, one object per request. */
  accessLog(): Record<string, unknown>[];
  /** GET on the admin interface, e.g. `/config_dump` or `/stats?filter=...`. */
  admin(path: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartEnvoyOptions {
  /** The bootstrap as Envoy's JSON form; `admin` is replaced with a free 127.0.0.1 port. */
  readonly bootstrap: Record<string, unknown>;
  /** Waits for `/ready` (the default) or only for the admin interface to answer. */
  readonly waitFor?: "ready" | "admin";
  readonly timeoutMs?: number;
  readonly logLevel?: string;
}

const running = new Map<RunningEnvoy, EnvoyProcess>();

/**
 * Starts a real Envoy from a bootstrap and waits until it is ready. Each Envoy gets its own temp
 * dir and admin port; `stop()` (and process exit) kills it and removes the temp dir.
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
  let stdout = "";
  const envoyProcess = startEnvoyProcess({
    configPath,
    adminPort,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    onOutput: (chunk, stream) => {
      output += chunk;
      if (stream === "stdout") stdout += chunk;
    },
  });

  const envoy: RunningEnvoy = {
    adminPort,
    adminUrl: envoyProcess.adminUrl,
    output: () => output,
    // A line still being written has no newline yet: only what precedes the last one is complete.
    accessLog: () => stdout.slice(0, stdout.lastIndexOf("\n") + 1).split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>),
    admin: async (path) => (await fetch(`${envoyProcess.adminUrl}${path}`)).text(),
    stop: async () => {
      running.delete(envoy);
      await envoyProcess.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  running.set(envoy, envoyProcess);
  try {
    await envoyProcess.ready(options.timeoutMs ?? 15_000, options.waitFor === "admin" ? "admin" : "live");
  } catch (error) {
    await envoy.stop();
    throw new Error(`${(error as Error).message}:\n${output}`);
  }
  return envoy;
}

/** Stops every Envoy a test file started; call from afterAll so a failed test leaks no process. */
export async function stopAllEnvoys(): Promise<void> {
  await Promise.all([...running.keys()].map((envoy) => envoy.stop()));
}

// A crashed test run must not leave Envoys behind; only synchronous work is possible at exit.
process.once("exit", () => {
  for (const envoy of running.values()) envoy.kill();
});
