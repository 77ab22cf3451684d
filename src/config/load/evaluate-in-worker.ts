import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Diagnostic } from "../diagnostics.ts";
import { endedEarly, outOfMemory, threwFinding, timedOut, type Evaluation, type WorkerMessage } from "./evaluation-findings.ts";
import { runningLine } from "./running-line.ts";

// In a source checkout the worker is this directory's .ts file; in the installed package, the .js beside this one.
const WORKER_URL = new URL(import.meta.url.endsWith(".ts") ? "./evaluator-worker.ts" : "./evaluator-worker.js", import.meta.url);

/** The worker's heap limit: far above any real config. A single huge allocation can still abort the process, which is why this runs in a child process. */
export const MEMORY_LIMIT_MB = 512;

/**
 * Runs a config in a fresh worker thread (inside the evaluator process, see evaluator-host.ts) and
 * returns its default export as plain data. The worker has a time and memory limit, process.exit
 * inside it is a finding, and it is terminated afterwards with its timers and module copies.
 */
export function evaluateInWorker(file: string, limitMs: number): Promise<Evaluation> {
  const modules = new Set([pathToFileURL(file).href]);
  const worker = new Worker(WORKER_URL, { workerData: { file }, resourceLimits: { maxOldGenerationSizeMb: MEMORY_LIMIT_MB } });
  return new Promise((resolve) => {
    let finished = false;
    // While the inspector has the worker paused, nothing may terminate it (terminate() would hang).
    let inspecting = false;
    const finish = (result: { value?: unknown; diagnostics: readonly Diagnostic[] }) => {
      if (finished || inspecting) return;
      finished = true;
      clearTimeout(timer);
      void worker.terminate().then(() => resolve({ ...result, modules: [...modules].map((url) => fileURLToPath(url)) }));
    };
    const timer = setTimeout(() => {
      inspecting = true;
      void runningLine(worker, modules).then((at) => {
        inspecting = false;
        finish({ diagnostics: [timedOut(file, limitMs, at)] });
      });
    }, limitMs);
    worker.on("message", (message: WorkerMessage) => {
      if (message.kind === "module") modules.add(message.url);
      else finish(message.value === undefined ? { diagnostics: message.diagnostics } : { value: message.value, diagnostics: message.diagnostics });
    });
    worker.on("error", (error: Error & { code?: string }) => {
      finish({ diagnostics: [error.code === "ERR_WORKER_OUT_OF_MEMORY" ? outOfMemory(file, MEMORY_LIMIT_MB) : threwFinding(error, file, modules)] });
    });
    worker.on("exit", () => finish({ diagnostics: [endedEarly(file)] }));
  });
}
