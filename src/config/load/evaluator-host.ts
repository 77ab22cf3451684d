/**
 * The evaluator process: `node evaluator-host.ts <config file> <time limit ms>`, started by
 * evaluate.ts for each evaluation. Its main thread watches the worker that runs the config (time
 * limit, the line an endless loop is on) and sends the outcome over IPC. Being a process of its
 * own, the config cannot take the control plane down, not even by exhausting V8's heap.
 */
import { evaluateInWorker } from "./evaluate-in-worker.ts";

const [file, limitMs] = process.argv.slice(2);
// The control plane went away (killed, or it gave up on us): nothing is waiting for the outcome.
process.on("disconnect", () => process.exit(0));
const evaluation = await evaluateInWorker(file!, Number(limitMs));
process.send!(evaluation, () => process.exit(0));
