import type { Diagnostic, Severity } from "../config/diagnostics.ts";
import { locateNearest, type Locate, type ModelPath } from "../config/locate.ts";
import type { CompileCode } from "./codes.ts";

/** Collects located diagnostics while resolving; never throws for user mistakes. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly #file: string;
  readonly #locate: Locate | undefined;
  /** Shared settings (a version's access) are resolved once per route that inherits them: say each finding once. */
  readonly #said = new Set<string>();

  constructor(file: string, locate?: Locate) {
    this.#file = file;
    this.#locate = locate;
  }

  report(severity: Severity, code: CompileCode, message: string, path: ModelPath, hint?: string): void {
    const key = JSON.stringify([code, path, message]);
    if (this.#said.has(key)) return;
    this.#said.add(key);
    this.diagnostics.push({
      code,
      severity,
      message,
      ...(hint ? { hint } : {}),
      path: [...path],
      ...(this.#locate ? { location: locateNearest(this.#locate, this.#file, path) } : {}),
    });
  }

  /** Re-reports findings collected by another reporter (e.g. cached ones), located in this file. */
  replay(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) this.report(d.severity, d.code as CompileCode, d.message, d.path ?? [], d.hint);
  }

  error(code: CompileCode, message: string, path: ModelPath, hint?: string): void {
    this.report("error", code, message, path, hint);
  }

  warning(code: CompileCode, message: string, path: ModelPath, hint?: string): void {
    this.report("warning", code, message, path, hint);
  }
}
