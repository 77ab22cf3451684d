import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError } from "../errors.ts";
import { GENERATED_HEADER } from "./render.ts";

/**
 * The list of files `compile` wrote into an output directory, committed with them. It is what
 * makes the directory ours to change: compile rewrites and removes only the files it lists, so a
 * config, other manifests or notes placed next to the output are never swept away, and a reviewer
 * sees in its diff every file the output gains or loses.
 */
export const MANIFEST_FILE = ".portcullis-manifest";
const MANIFEST_HEADER = "# Files written by `portcullis compile`; it rewrites and removes only these. Do not edit.\n";

/** Files a repository keeps in any folder; they belong to no one's output and are left alone. */
const HOUSEKEEPING = new Set([".gitattributes", ".gitignore", ".gitkeep"]);

/** Output paths are `index.yaml` or `<folder>/<name>.yaml`: nothing of ours lies deeper. */
const OUTPUT_DEPTH = 2;

/**
 * A path compile can produce: at most OUTPUT_DEPTH segments of [A-Za-z0-9._-], never `.` or `..`,
 * ending in .yaml. Any other manifest line (a merge-conflict marker, a hand edit) is ignored, so a
 * manifest can never make compile touch a file outside its directory.
 */
function isOutputPath(path: string): boolean {
  const segments = path.split("/");
  return segments.length <= OUTPUT_DEPTH && path.endsWith(".yaml") && segments.every((segment) => /^[A-Za-z0-9._-]+$/.test(segment) && segment !== "." && segment !== "..");
}

function manifestText(paths: Iterable<string>): string {
  return MANIFEST_HEADER + [...new Set(paths)].sort().map((path) => `${path}\n`).join("");
}

function failure(error: unknown): NodeJS.ErrnoException {
  return error as NodeJS.ErrnoException;
}

/** The directory, or nothing yet; anything else (a file, unreadable) is the user's to fix. */
function checkDirectory(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch (error) {
    if (failure(error).code === "ENOENT") return;
    throw new UserError(`cannot read the generated output directory ${dir} (${failure(error).code}); it must be a directory`);
  }
  throw new UserError(`cannot read the generated output directory ${dir} (ENOTDIR); it must be a directory`);
}

/** A file's content, or undefined when there is none at that path. */
function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (failure(error).code === "ENOENT" || failure(error).code === "ENOTDIR") return undefined;
    throw new UserError(`cannot read ${path} (${failure(error).code}); it must be a readable file`);
  }
}

/**
 * Every entry under the directory that is not a directory, as a '/'-separated relative path, in
 * name order. A directory below OUTPUT_DEPTH is reported as one entry (`a/b/`) instead of being
 * read: nothing of ours is in it, so a wrong --out never walks a whole tree.
 */
function* entriesUnder(dir: string, prefix = ""): Generator<string> {
  let names: { name: string; isDirectory(): boolean }[];
  try {
    names = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch (error) {
    if (prefix !== "") {
      yield prefix; // an unreadable folder holds nothing we can vouch for
      return;
    }
    if (failure(error).code === "ENOENT") return;
    throw new UserError(`cannot read the generated output directory ${dir} (${failure(error).code}); it must be a readable directory`);
  }
  for (const entry of names.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = `${prefix}${entry.name}`;
    if (!entry.isDirectory()) yield path;
    else if (path.split("/").length < OUTPUT_DEPTH) yield* entriesUnder(dir, `${path}/`);
    else yield `${path}/`;
  }
}

/**
 * The files this directory's output consists of: those its manifest lists; for output written
 * before manifests existed, the .yaml files that start with the generated-file header.
 */
function ownedFiles(dir: string): Set<string> {
  const manifest = readIfPresent(join(dir, MANIFEST_FILE));
  if (manifest !== undefined) return new Set(manifest.split("\n").filter(isOutputPath));
  const owned = new Set<string>();
  for (const path of entriesUnder(dir)) {
    if (isOutputPath(path) && readIfPresent(join(dir, path))?.startsWith(GENERATED_HEADER)) owned.add(path);
  }
  return owned;
}

export interface OutputComparison {
  readonly missing: string[];
  readonly changed: string[];
  /** Files of this directory's output (see its manifest) that the compile no longer produces. */
  readonly orphaned: string[];
}

/** The generated files plus the manifest that lists them: the complete content of an output directory. */
function withManifest(files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...files, [MANIFEST_FILE, manifestText(files.keys())]]);
}

function compareWith(dir: string, expected: ReadonlyMap<string, string>, owned: ReadonlySet<string>): OutputComparison {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [path, content] of expected) {
    const current = readIfPresent(join(dir, path));
    if (current === undefined) missing.push(path);
    else if (current !== content) changed.push(path);
  }
  const orphaned = [...owned].filter((path) => !expected.has(path) && readIfPresent(join(dir, path)) !== undefined).sort();
  return { missing, changed, orphaned };
}

/**
 * How the directory differs from this output. Files that are not part of its output (not in its
 * manifest) are never reported: they are someone else's.
 */
export function compareOutput(dir: string, files: ReadonlyMap<string, string>): OutputComparison {
  checkDirectory(dir);
  return compareWith(dir, withManifest(files), ownedFiles(dir));
}

export function isUpToDate(comparison: OutputComparison): boolean {
  return comparison.missing.length + comparison.changed.length + comparison.orphaned.length === 0;
}

/** What the directory holds of this output, path → content (for `diff`); nothing else in it is read. */
export function readOutput(dir: string): Map<string, string> {
  checkDirectory(dir);
  const files = new Map<string, string>();
  for (const path of [...ownedFiles(dir)].sort()) {
    const content = readIfPresent(join(dir, path));
    if (content !== undefined) files.set(path, content);
  }
  return files;
}

/** Up to `limit` entries of the directory that are not part of its output. */
function foreignEntries(dir: string, owned: ReadonlySet<string>, limit: number): string[] {
  const foreign: string[] = [];
  for (const path of entriesUnder(dir)) {
    if (owned.has(path) || path === MANIFEST_FILE || HOUSEKEEPING.has(path.slice(path.lastIndexOf("/") + 1))) continue;
    foreign.push(path);
    if (foreign.length === limit) break;
  }
  return foreign;
}

/** Removes a folder the output no longer uses once it is empty; a folder with anything else in it stays. */
function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch (error) {
    if (failure(error).code !== "ENOTEMPTY" && failure(error).code !== "EEXIST") throw error;
  }
}

/**
 * Writes the output and removes the files of the previous output that it no longer has, so the
 * directory holds exactly this output. Refuses (and touches nothing) when the directory holds any
 * file that is not part of its output: compile writes only into a directory of its own.
 */
export function writeOutput(dir: string, files: ReadonlyMap<string, string>): OutputComparison {
  checkDirectory(dir);
  const owned = ownedFiles(dir);
  const shown = 5;
  const foreign = foreignEntries(dir, owned, shown + 1);
  if (foreign.length > 0) {
    const listed = foreign.slice(0, shown).join(", ") + (foreign.length > shown ? ", …" : "");
    throw new UserError(
      `refusing to write into ${dir}: it holds files that 'portcullis compile' did not write (${listed}). ` +
        `compile rewrites and removes only the files listed in its ${MANIFEST_FILE}, so it needs a directory of its own: ` +
        "choose a new or empty directory with --out, or move those files elsewhere",
    );
  }
  const expected = withManifest(files);
  const comparison = compareWith(dir, expected, owned);
  if (!isUpToDate(comparison)) {
    try {
      mkdirSync(dir, { recursive: true });
      // Name every file this run may leave behind before touching any, so an interrupted run
      // never strands a file that the next one would take for someone else's.
      writeFileSync(join(dir, MANIFEST_FILE), manifestText([...owned, ...files.keys()]));
      for (const path of [...comparison.missing, ...comparison.changed]) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), expected.get(path)!);
      }
      for (const path of comparison.orphaned) {
        rmSync(join(dir, path));
        if (path.includes("/")) removeIfEmpty(dirname(join(dir, path)));
      }
      writeFileSync(join(dir, MANIFEST_FILE), expected.get(MANIFEST_FILE)!);
    } catch (error) {
      throw new UserError(`cannot write the generated output under ${dir} (${failure(error).code ?? failure(error).message} on ${failure(error).path ?? dir}); choose a writable directory with --out`);
    }
  }
  return comparison;
}
