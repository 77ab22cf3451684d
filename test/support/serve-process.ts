/**
 * `portcullis serve` as a real child process, for tests that restart, kill or hot-reload the
 * control plane while a real Envoy serves traffic.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly adminPort: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** GET on the admin endpoint; undefined when it does not answer. */
  admin(path: string): Promise<Response | undefined>;
}

export interface ServeOptions {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly watch?: boolean;
  readonly extraArgs?: readonly string[];
  /** Environment variables added to this process's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `serve` on Node 24 from node_modules and waits until /readyz answers 200. */
export async function startServe(config: string, options: ServeOptions): Promise<ServeProcess> {
  const child = spawn(
    join(process.cwd(), "node_modules/.bin/node"),
    [
      "src/cli/main.ts", "serve", config,
      ...(options.watch ? ["--watch"] : []),
      "--xds-port", String(options.xdsPort),
      "--admin-port", String(options.adminPort),
      "--log-format", "json",
      ...(options.extraArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const serve: ServeProcess = {
    child,
    adminPort: options.adminPort,
    exited,
    output: () => output,
    admin: (path) => fetch(`http://127.0.0.1:${options.adminPort}${path}`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined),
  };
  const deadline = Date.now() + 30_000;
  while ((await serve.admin("/readyz"))?.status !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`serve did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return serve;
}
