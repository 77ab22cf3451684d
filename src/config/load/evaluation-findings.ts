import { fileURLToPath } from "node:url";
import type { Diagnostic, SourceLocation } from "../diagnostics.ts";
import { moduleFileUrl } from "./portcullis-hooks.ts";

/** What an evaluation of a config yields; the evaluator process sends it to its parent. */
export interface Evaluation {
  /** The default export as plain data; absent when evaluation failed. */
  readonly value?: unknown;
  /** Findings with a `path` still need placing on the config's syntax tree. */
  readonly diagnostics: readonly Diagnostic[];
  /** The config file and every local module it loaded (absolute paths). */
  readonly modules: readonly string[];
}

/** The innermost stack frame in one of the config's own modules (file: URLs); type stripping keeps lines and columns. */
export function userFrame(stack: string, modules: ReadonlySet<string>): SourceLocation | undefined {
  // A syntax error's stack starts with `file:///…/x.ts:3` (no column); call frames end in `:line:column`.
  for (const match of stack.matchAll(/(file:\/\/[^\s)]+?):(\d+)(?::(\d+))?(?=\)|\s|$)/g)) {
    const url = moduleFileUrl(match[1]!);
    if (modules.has(url)) return { file: fileURLToPath(url), line: Number(match[2]), column: match[3] ? Number(match[3]) : 1 };
  }
  return undefined;
}

const fileStart = (file: string): SourceLocation => ({ file, line: 1, column: 1 });

/** The config threw (while importing, in a timer, or an unhandled rejection). */
export function threwFinding(error: unknown, file: string, modules: ReadonlySet<string>): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  return {
    code: "PCL1021",
    severity: "error",
    message: `the config threw while it was evaluated: ${message.split("\n")[0] ?? message}`,
    hint: "fix the code at this line; a config should only build and export data",
    location: userFrame(stack, modules) ?? fileStart(file),
  };
}

export function exitFinding(code: unknown, stack: string, file: string, modules: ReadonlySet<string>): Diagnostic {
  return {
    code: "PCL1026",
    severity: "error",
    message: `the config called process.exit(${code === undefined ? "" : String(code)}), so it was not checked`,
    hint: "a config only builds and exports data; throw an Error to report a problem instead",
    location: userFrame(stack, modules) ?? fileStart(file),
  };
}

export function noDefaultExport(file: string): Diagnostic {
  return {
    code: "PCL1022",
    severity: "error",
    message: "the config module has no default export",
    hint: "end the file with `export default defineGateway({ ... })`",
    location: fileStart(file),
  };
}

export function timedOut(file: string, limitMs: number): Diagnostic {
  return {
    code: "PCL1025",
    severity: "error",
    message: `the config did not finish within ${limitMs / 1000} s: it loops without end, or waits for something that never happens`,
    hint: "a config must export its value promptly: look for endless loops, and awaits on servers, timers or user input",
    location: fileStart(file),
  };
}

export function outOfMemory(file: string, limitMb: number): Diagnostic {
  return {
    code: "PCL1027",
    severity: "error",
    message: `the config used more than ${limitMb} MB of memory while it was evaluated`,
    hint: "look for code that builds ever-growing data (a loop that keeps appending)",
    location: fileStart(file),
  };
}

/** The config's process ended with nothing to show: unless it says how, because an await can never settle. */
export function endedEarly(file: string, how = "a top-level await waits on a promise that can never settle"): Diagnostic {
  return {
    code: "PCL1028",
    severity: "error",
    message: `the config stopped before it exported anything: ${how}`,
    hint: "await only promises that resolve (no `await new Promise(() => {})`), then `export default defineGateway({ ... })`",
    location: fileStart(file),
  };
}
