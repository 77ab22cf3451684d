/**
 * The evaluator process: `node evaluator-process.ts <config file>`, started by evaluate.ts for each
 * evaluation. It runs the config module and sends back, over IPC, its default export as plain
 * data (or a finding that says what went wrong) and the local modules it loaded. The parent
 * limits its time and memory and kills it afterwards, timers and all.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { hasErrors } from "../diagnostics.ts";
import { exitFinding, noDefaultExport, threwFinding, type Evaluation } from "./evaluation-findings.ts";
import { toPlainData } from "./plain-data.ts";
import { registerConfigHooks } from "./portcullis-hooks.ts";

const file = process.argv[2]!;
const url = pathToFileURL(file).href;
const modules = new Set([url]);
// Taken before the config runs, which may replace them.
const send = process.send!.bind(process);
let sent = false;
const report = (outcome: { value?: unknown; diagnostics: Evaluation["diagnostics"] }) => {
  if (sent) return;
  sent = true;
  send({ ...outcome, modules: [...modules].map((module) => fileURLToPath(module)) } satisfies Evaluation);
};

registerConfigHooks(url, (module) => modules.add(module));
// The IPC channel alone must not keep this process alive: a config whose await can never settle
// lets it end, and the parent reports that.
process.channel?.unref();
// A timer or a promise of the config that fails before it exports is its failure, at its line.
process.on("uncaughtException", (error) => report({ diagnostics: [threwFinding(error, file, modules)] }));
process.on("unhandledRejection", (error) => report({ diagnostics: [threwFinding(error, file, modules)] }));
// process.exit would end the evaluation silently; report the call where it was made and wait
// here for the parent, which kills this process once it has the report.
process.exit = ((code?: unknown) => {
  report({ diagnostics: [exitFinding(code, new Error().stack ?? "", file, modules)] });
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("process.exit is not available to a config");
}) as typeof process.exit;

/** The default export as plain data, or why there is none. */
function evaluated(exports: Record<string, unknown>): { value?: unknown; diagnostics: Evaluation["diagnostics"] } {
  if (exports["default"] === undefined) return { diagnostics: [noDefaultExport(file)] };
  // Findings of the copy are placed by the caller, which holds the config's syntax tree; a value
  // that is not all plain data is not validated (its findings would only repeat these).
  const plain = toPlainData(exports["default"], { file, locate: () => undefined });
  return hasErrors(plain.diagnostics) ? { diagnostics: plain.diagnostics } : { value: plain.value, diagnostics: plain.diagnostics };
}

// Not a top-level await: a config whose own await never settles must let this process end.
import(url).then((exports: Record<string, unknown>) => report(evaluated(exports))).catch((error: unknown) => report({ diagnostics: [threwFinding(error, file, modules)] }));
