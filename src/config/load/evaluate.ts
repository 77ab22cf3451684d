import { pathToFileURL } from "node:url";
import { constants, Script } from "node:vm";
import type { Diagnostic } from "../diagnostics.ts";
import { EVALUATION_PARAM, mapPortcullisSpecifier } from "./portcullis-hooks.ts";

let evaluations = 0;

// Node's own loader, even when this module itself runs inside a test runner's module sandbox:
// it strips types from .ts files and honours the "portcullis" hook.
const mainLoaderImport = new Script("(url) => import(url)", {
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
}).runInThisContext() as (url: string) => Promise<Record<string, unknown>>;

function nativeImport(url: string): Promise<Record<string, unknown>> {
  // Node flags that vm option as experimental, synchronously on each use; users would only be confused.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).includes("USE_MAIN_CONTEXT_DEFAULT_LOADER")) Reflect.apply(emitWarning, process, [warning, ...rest]);
  }) as typeof process.emitWarning;
  try {
    return mainLoaderImport(url);
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Runs a .ts/.mjs/.js config and returns its default export. */
export async function evaluateConfig(file: string): Promise<{ value?: unknown; diagnostics: Diagnostic[] }> {
  mapPortcullisSpecifier();
  const url = pathToFileURL(file).href;
  // Every evaluation is a fresh module graph: in a long-running process (serve --watch) an edit to
  // the config, or to a local module it imports, must be seen. The hook carries the tag to imports.
  let exports: Record<string, unknown>;
  try {
    exports = await nativeImport(`${url}?${EVALUATION_PARAM}=${++evaluations}`);
  } catch (error) {
    return { diagnostics: [evaluationFailure(error, file, url)] };
  }
  if (!("default" in exports) || exports["default"] === undefined) {
    return {
      diagnostics: [{
        code: "PCL1022",
        severity: "error",
        message: "the config module has no default export",
        hint: "end the file with `export default defineGateway({ ... })`",
        location: { file, line: 1, column: 1 },
      }],
    };
  }
  return { value: exports["default"], diagnostics: [] };
}

function evaluationFailure(error: unknown, file: string, url: string): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  // The first stack frame inside the config file places the failure; type stripping keeps columns.
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const frame = new RegExp(`${escaped}(?:\\?[^:\\s)]*)?:(\\d+)(?::(\\d+))?`).exec(stack);
  return {
    code: "PCL1021",
    severity: "error",
    message: `the config threw while it was evaluated: ${message.split("\n")[0] ?? message}`,
    hint: "fix the code at this line; a config should only build and export data",
    location: { file, line: frame ? Number(frame[1]) : 1, column: frame?.[2] ? Number(frame[2]) : 1 },
  };
}
