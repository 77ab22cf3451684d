/**
 * The evaluator worker: runs one config module in its own thread and posts back its default
 * export as plain data, or a finding that says what went wrong (see evaluate.ts, which starts it,
 * limits its time and memory, and terminates it afterwards).
 */
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import { hasErrors } from "../diagnostics.ts";
import { exitFinding, noDefaultExport, threwFinding, type WorkerMessage } from "./evaluation-findings.ts";
import { toPlainData } from "./plain-data.ts";
import { registerConfigHooks } from "./portcullis-hooks.ts";

const { file } = workerData as { file: string };
const url = pathToFileURL(file).href;
const modules = new Set([url]);
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

registerConfigHooks(url, (module) => {
  modules.add(module);
  post({ kind: "module", url: module });
});

// In a worker, process.exit would end only this thread, silently: the config would pass unchecked.
// Report the call where it was made and wait here for the parent to terminate the thread.
process.exit = ((code?: unknown) => {
  post({ kind: "result", diagnostics: [exitFinding(code, new Error().stack ?? "", file, modules)] });
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("process.exit is not available to a config");
}) as typeof process.exit;

function evaluated(exports: Record<string, unknown>): WorkerMessage {
  if (exports["default"] === undefined) return { kind: "result", diagnostics: [noDefaultExport(file)] };
  // Findings of the copy are placed by the caller, which holds the config's syntax tree; a value
  // that is not all plain data is not validated (its findings would only repeat these).
  const plain = toPlainData(exports["default"], { file, locate: () => undefined });
  return hasErrors(plain.diagnostics) ? { kind: "result", diagnostics: plain.diagnostics } : { kind: "result", value: plain.value, diagnostics: plain.diagnostics };
}

// Not a top-level await: a config whose own await never settles must let this thread end, which
// the parent reports, instead of Node's warning about an unsettled await.
import(url).then(
  (exports: Record<string, unknown>) => post(evaluated(exports)),
  (error: unknown) => post({ kind: "result", diagnostics: [threwFinding(error, file, modules)] }),
);
