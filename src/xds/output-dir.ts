import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from "node:fs";
import { dirname, join, relative } from "node:path";
import { UserError } from "../errors.ts";

/** Every *.yaml file under a directory, as relative paths; empty when it does not exist. */
export function listYamlFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new UserError(`cannot read the generated output directory ${dir} (${(error as NodeJS.ErrnoException).code}); it must be a directory`);
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".yaml"))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .sort();
}

export interface OutputComparison {
  readonly missing: string[];
  readonly changed: string[];
  /** Files in the directory that the compile no longer produces. */
  readonly orphaned: string[];
}

export function compareOutput(dir: string, files: ReadonlyMap<string, string>): OutputComparison {
  const existing = new Set(listYamlFiles(dir));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [path, content] of files) {
    if (!existing.has(path)) missing.push(path);
    else if (readFileSync(join(dir, path), "utf8") !== content) changed.push(path);
    existing.delete(path);
  }
  return { missing, changed, orphaned: [...existing] };
}

export function isUpToDate(comparison: OutputComparison): boolean {
  return comparison.missing.length + comparison.changed.length + comparison.orphaned.length === 0;
}

/** Writes the files and deletes orphaned *.yaml files, so the directory holds exactly this output. */
export function writeOutput(dir: string, files: ReadonlyMap<string, string>): OutputComparison {
  const comparison = compareOutput(dir, files);
  try {
    for (const path of [...comparison.missing, ...comparison.changed]) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), files.get(path)!);
    }
    for (const path of comparison.orphaned) rmSync(join(dir, path));
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    throw new UserError(`cannot write the generated output under ${dir} (${failure.code ?? failure.message} on ${failure.path ?? dir}); choose a writable directory with --out`);
  }
  return comparison;
}
