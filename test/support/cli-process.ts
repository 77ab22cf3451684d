/** Runs CLI commands as a user would, in child processes, with bounded waits. */
import { execFile, spawn, type ChildProcess } from "node:child_process";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (and reported as failed) after this long. */
  readonly timeoutMs: number;
}

/** Runs a command to its end and returns its exit code and output; never throws for a non-zero exit. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      const code = failure ? (typeof failure.code === "number" ? failure.code : -1) : 0;
      resolve({ code, stdout, stderr: failure?.killed ? `${stderr}\n[killed after ${options.timeoutMs} ms]` : stderr });
    });
  });
}

/** A long-running command (`up`, `serve`) whose output is collected as it comes. */
export interface RunningCommand {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output matches, rejects with the output so far after `timeoutMs` or if the command ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code; SIGKILLs it after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function startCommand(command: string, args: readonly string[], options: Omit<CommandOptions, "timeoutMs">): RunningCommand {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the command ended (${child.exitCode ?? child.signalCode}) before printing ${pattern}; its output:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(signal = "SIGINT", timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
