import { readFileSync } from "node:fs";

/** Whether a process still runs: a zombie (killed, not yet reaped by whoever adopted it) does not. */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
