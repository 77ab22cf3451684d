import { spawn } from "node:child_process";
import { dyingWithParent } from "../../dies-with-parent.ts";
import { fileURLToPath } from "node:url";
import { endedEarly, outOfMemory, timedOut, type Evaluation } from "./evaluation-findings.ts";

export type { Evaluation } from "./evaluation-findings.ts";

// In a source checkout the evaluator is this directory's .ts file; in the installed package, the .js beside this one.
const EVALUATOR = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "./evaluator-process.ts" : "./evaluator-process.js", import.meta.url));

/** A config has this long to export its value; PORTCULLIS_CONFIG_TIME_LIMIT_MS changes it (tests lower it). */
const DEFAULT_TIME_LIMIT_MS = 10_000;
/** The evaluator's heap: far above any real config, far below what would starve the machine. */
const MEMORY_LIMIT_MB = 512;
/** Enough of the evaluator's stderr to recognise V8's out-of-memory report. */
const STDERR_KEPT = 64 * 1024;

function timeLimitMs(): number {
  const configured = Number(process.env["PORTCULLIS_CONFIG_TIME_LIMIT_MS"]);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_TIME_LIMIT_MS;
}

/**
 * Runs a .ts/.mts/.mjs/.js config in a fresh evaluator process (see evaluator-process.ts) and
 * returns its default export as plain data. Whatever the config does — loop, never settle, exit,
 * pollute prototypes, leave timers running, exhaust memory — comes back as a finding and stays
 * in that process, which is killed afterwards. A process rather than a worker thread: one large
 * allocation past a worker's heap limit aborts the whole process, control plane included. Each
 * evaluation starts from a fresh module graph, so an edit to the config or to a local module it
 * imports is always seen, and nothing accumulates across reloads.
 */
/** How long an evaluation ended by an interrupt waits for this process's own copy of the signal. */
const INTERRUPT_GRACE_MS = 200;

export function evaluateConfig(file: string): Promise<Evaluation> {
  const limitMs = timeLimitMs();
  // The config runs on plain Node: no flags of this process (a test runner's, an inspector's).
  // It dies with this process even on SIGKILL: a config stuck in a loop must not outlive serve.
  const launch = dyingWithParent(process.execPath, [`--max-old-space-size=${MEMORY_LIMIT_MB}`, EVALUATOR, file]);
  const evaluator = spawn(launch.command, launch.args, {
    stdio: ["ignore", "inherit", "pipe", "ipc"],
    serialization: "advanced",
  });
  let stderr = "";
  evaluator.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    let evaluation: Evaluation | undefined;
    let timer: NodeJS.Timeout | undefined;
    let outOfTime = false;
    evaluator.on("message", (message: Evaluation) => {
      evaluation = message;
      evaluator.kill("SIGKILL"); // the config's timers and pending work end here
    });
    evaluator.on("close", (code, signal) => {
      clearTimeout(timer);
      if (!evaluation) {
        const finding = /heap out of memory|Reached heap limit/.test(stderr)
          ? outOfMemory(file, MEMORY_LIMIT_MB)
          : outOfTime
            ? timedOut(file, limitMs)
            : endedEarly(file, code === 0 ? undefined : `its process ended (${signal ?? `exit code ${code}`})`);
        evaluation = { diagnostics: [finding], modules: [file] };
      } else if (stderr) {
        // What the config wrote to stderr is the user's to see; V8's out-of-memory report is not.
        process.stderr.write(stderr);
      }
      // Interrupted from outside, this process most likely got the same signal (Ctrl-C reaches the
      // whole process group): its own handling (cleanup, then the signal's course) goes first,
      // rather than a finding about an evaluation nobody waits for any more.
      const outcome = evaluation;
      const interrupted = signal === "SIGINT" || signal === "SIGTERM" || signal === "SIGHUP";
      if (interrupted && !outOfTime) setTimeout(() => resolve(outcome), INTERRUPT_GRACE_MS);
      else resolve(outcome);
    });
    // Armed once this thread is free (the caller type-checks meanwhile), so an outcome that is
    // already waiting is always seen before the time limit is.
    setImmediate(() => {
      if (evaluation || evaluator.exitCode !== null || evaluator.signalCode !== null) return;
      timer = setTimeout(() => {
        outOfTime = true;
        evaluator.kill("SIGKILL");
      }, limitMs);
    });
  });
}
