import { spawn, type ChildProcess } from "node:child_process";
import { findEnvoy } from "./binary.ts";

export interface EnvoyProcessOptions {
  /** Path of the bootstrap file. */
  readonly configPath: string;
  /** The admin port the bootstrap binds on 127.0.0.1; used to wait for readiness. */
  readonly adminPort: number;
  readonly logLevel?: string;
  /** Called with every chunk Envoy writes (stdout carries the access log, stderr Envoy's own log). */
  readonly onOutput?: (chunk: string, stream: "stdout" | "stderr") => void;
  readonly binary?: string;
}

export interface EnvoyProcess {
  readonly adminUrl: string;
  /** Resolves with the exit code (or signal) when Envoy exits, for whatever reason. */
  readonly exited: Promise<number | string | null>;
  /**
   * Waits until admin `/ready` answers LIVE (or, with `until: "admin"`, until the admin interface
   * answers at all, for Envoys still waiting on their first xDS config); rejects if Envoy exits
   * or the timeout passes first.
   */
  ready(timeoutMs?: number, until?: "live" | "admin"): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Immediate SIGKILL, for process-exit handlers where nothing can be awaited. */
  kill(): void;
}

/**
 * Runs a real Envoy. Hot restart is off and the shared-memory base id is derived from the admin
 * port, so several Envoys (tests, `portcullis up` next to a system Envoy) coexist on one machine.
 */
export function startEnvoyProcess(options: EnvoyProcessOptions): EnvoyProcess {
  const child: ChildProcess = spawn(
    options.binary ?? findEnvoy(),
    [
      "-c", options.configPath,
      "--base-id", String(options.adminPort),
      "--log-level", options.logLevel ?? "warn",
      "--concurrency", "1", // one worker is plenty for local use and tests on small machines
      "--disable-hot-restart",
      // Access logs reach stdout within a second instead of Envoy's default ten.
      "--file-flush-interval-msec", "1000",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => options.onOutput?.(chunk.toString(), "stdout"));
  child.stderr?.on("data", (chunk: Buffer) => options.onOutput?.(chunk.toString(), "stderr"));
  let exitStatus: number | string | null | undefined;
  const exited = new Promise<number | string | null>((resolve) => {
    child.once("exit", (code, signal) => resolve((exitStatus = code ?? signal)));
    child.once("error", (error) => resolve((exitStatus = error.message)));
  });
  const adminUrl = `http://127.0.0.1:${options.adminPort}`;

  return {
    adminUrl,
    exited,
    async ready(timeoutMs = 15_000, until = "live") {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitStatus !== undefined) throw new Error(`Envoy exited (${String(exitStatus)}) before it was ready`);
        try {
          const body = await (await fetch(`${adminUrl}/ready`)).text();
          if (until === "admin" || body.trim() === "LIVE") return;
        } catch {
          // admin not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`Envoy was not ready within ${timeoutMs} ms`);
    },
    async stop(graceMs = 3000) {
      if (exitStatus !== undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill() {
      if (exitStatus === undefined) child.kill("SIGKILL");
    },
  };
}
