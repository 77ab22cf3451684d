import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { endedEarly, outOfMemory, timedOut, type Evaluation } from "./evaluation-findings.ts";
import { MEMORY_LIMIT_MB } from "./evaluate-in-worker.ts";

export type { Evaluation } from "./evaluation-findings.ts";

// In a source checkout the host is this directory's .ts file; in the installed package, the .js beside this one.
const HOST_FILE = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "./evaluator-host.ts" : "./evaluator-host.js", import.meta.url));

/** A config has this long to export its value; PORTCULLIS_CONFIG_TIME_LIMIT_MS changes it (tests lower it). */
const DEFAULT_TIME_LIMIT_MS = 10_000;
/** Beyond the limit, how long the evaluator may take to report where the config was stuck before it is killed. */
const REPORT_GRACE_MS = 5_000;
/** Enough of the evaluator's stderr to recognise V8's out-of-memory report. */
const STDERR_KEPT = 64 * 1024;

function timeLimitMs(): number {
  const configured = Number(process.env["PORTCULLIS_CONFIG_TIME_LIMIT_MS"]);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_TIME_LIMIT_MS;
}

/**
 * Runs a .ts/.mts/.mjs/.js config in a fresh evaluator process (see evaluator-host.ts) and returns
 * its default export as plain data. Whatever the config does — loop, never settle, exit, pollute
 * prototypes, leave timers running, exhaust memory — comes back as a finding, and nothing of it
 * stays in this process: each evaluation starts from a fresh module graph, so an edit to the
 * config or to a local module it imports is always seen, and nothing accumulates across reloads.
 */
export function evaluateConfig(file: string): Promise<Evaluation> {
  const limitMs = timeLimitMs();
  // The config runs on plain Node: no flags of this process (a test runner's, an inspector's).
  const host = spawn(process.execPath, [HOST_FILE, file, String(limitMs)], { stdio: ["ignore", "inherit", "pipe", "ipc"], serialization: "advanced" });
  let stderr = "";
  host.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    let evaluation: Evaluation | undefined;
    let timer: NodeJS.Timeout | undefined;
    let killed = false;
    host.on("message", (message: Evaluation) => (evaluation = message));
    host.on("close", (code, signal) => {
      clearTimeout(timer);
      if (!evaluation) evaluation = { diagnostics: [failure(file, limitMs, stderr, killed ? undefined : (signal ?? `exit code ${code}`))], modules: [file] };
      // What the config printed to stderr is the user's; V8's out-of-memory report is not.
      else if (stderr) process.stderr.write(stderr);
      resolve(evaluation);
    });
    // Armed once this thread is free (the caller type-checks meanwhile), so an outcome already
    // waiting is always seen first. The evaluator enforces the limit itself; this is the backstop.
    setImmediate(() => {
      if (host.exitCode !== null || host.signalCode !== null) return;
      timer = setTimeout(() => {
        killed = true;
        host.kill("SIGKILL");
      }, limitMs + REPORT_GRACE_MS);
    });
  });
}

/** Why the evaluator process ended without an outcome (`how` is undefined when it ran out of time). */
function failure(file: string, limitMs: number, stderr: string, how: string | undefined) {
  if (/heap out of memory|Reached heap limit/.test(stderr)) return outOfMemory(file, MEMORY_LIMIT_MB);
  if (how === undefined) return timedOut(file, limitMs, undefined);
  return endedEarly(file, `its process ended (${how})`);
}
