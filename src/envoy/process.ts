import { spawn, type ChildProcess } from "node:child_process";
import { dyingWithParent } from "../dies-with-parent.ts";
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
  readonly pid: number | undefined;
  /** The kernel kills Envoy when the process that started it dies (see {@link startEnvoyProcess}). */
  readonly diesWithParent: boolean;
  /** Resolves with the exit code (or signal) when Envoy exits, for whatever reason. */
  readonly exited: Promise<number | string | null>;
  /**
   * Waits until Envoy's admin interface reports LIVE (or, with `until: "admin"`, until it answers
   * at all, for Envoys still waiting on their first xDS config); rejects if Envoy exits or the
   * timeout passes first, or if the admin port is answered by anything but this Envoy (one left
   * running on that port would otherwise pass for it).
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
 *
 * Envoy dies with the process that started it, even when that process is SIGKILLed and cannot
 * stop it (dyingWithParent): otherwise an orphaned Envoy would keep its ports, and the next `up`
 * would find them taken.
 */
export function startEnvoyProcess(options: EnvoyProcessOptions): EnvoyProcess {
  const envoy = options.binary ?? findEnvoy();
  const launch = dyingWithParent(envoy, [
    "-c", options.configPath,
    "--base-id", String(options.adminPort),
    "--log-level", options.logLevel ?? "warn",
    "--concurrency", "1", // one worker is plenty for local use and tests on small machines
    "--disable-hot-restart",
    // Access logs reach stdout within a second instead of Envoy's default ten.
    "--file-flush-interval-msec", "1000",
  ]);
  const child: ChildProcess = spawn(
    launch.command,
    launch.args,
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
    pid: child.pid,
    diesWithParent: launch.diesWithParent,
    exited,
    async ready(timeoutMs = 15_000, until = "live") {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitStatus !== undefined) throw new Error(`Envoy exited (${String(exitStatus)}) before it was ready`);
        const info = await serverInfo(adminUrl);
        if (info !== undefined) {
          const own = typeof info === "object" && info.command_line_options?.config_path === options.configPath;
          if (!own) {
            const other = typeof info === "object" ? `an Envoy running ${info.command_line_options?.config_path ?? "another config"}` : "a server that is not an Envoy";
            throw new Error(`${adminUrl} is answered by ${other}, not by the Envoy just started: another process holds admin port ${options.adminPort}`);
          }
          if (until === "admin" || info.state === "LIVE") return;
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

/** The part of Envoy's admin `/server_info` that tells which Envoy answers and how far it is. */
interface ServerInfo {
  readonly state?: string;
  readonly command_line_options?: { readonly config_path?: string };
}

/**
 * What the admin address answers on `/server_info`: undefined while nothing answers (not
 * listening yet, or too slow), "foreign" for an answer that is not an Envoy's server info.
 */
async function serverInfo(adminUrl: string): Promise<ServerInfo | "foreign" | undefined> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl}/server_info`, { signal: AbortSignal.timeout(2000) });
  } catch {
    return undefined;
  }
  try {
    const info = (await response.json()) as ServerInfo;
    return response.ok && typeof info === "object" && info !== null && "command_line_options" in info ? info : "foreign";
  } catch {
    return "foreign";
  }
}
