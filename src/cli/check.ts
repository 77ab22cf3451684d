import type { Diagnostic } from "../config/diagnostics.ts";
import { loadConfig, type LoadResult } from "../config/load.ts";

/**
 * What `compile` runs before translation: load (type-check, evaluate) and validate. Later stages
 * (resolve, policy, translate) take `loaded.config` and add their diagnostics, placed with
 * `loaded.locate`.
 */
export interface CheckResult {
  readonly loaded: LoadResult;
  readonly diagnostics: readonly Diagnostic[];
}

export async function checkConfig(path: string | undefined, cwd: string): Promise<CheckResult> {
  const loaded = await loadConfig(path, { cwd });
  return { loaded, diagnostics: loaded.diagnostics };
}
