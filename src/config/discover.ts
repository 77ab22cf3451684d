import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** Looked for in this order when no config path is given (or a directory is). */
export const CONFIG_FILE_NAMES = ["gateway.config.ts", "gateway.config.mjs", "gateway.config.js", "gateway.yaml", "gateway.yml", "gateway.json"] as const;

/** The config file a path (or the working directory) means, or undefined when none is there. */
export function discoverConfig(path: string | undefined, cwd: string): { file: string; found: boolean } {
  const target = resolve(cwd, path ?? ".");
  const isDirectory = existsSync(target) && statSync(target).isDirectory();
  if (!isDirectory) return { file: target, found: existsSync(target) };
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = join(target, name);
    if (existsSync(candidate) && statSync(candidate).isFile()) return { file: candidate, found: true };
  }
  return { file: target, found: false };
}
