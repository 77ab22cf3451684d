/**
 * Where a served snapshot comes from: a hash of the files its config is made of and, when the
 * config lives in a git repository, the commit checked out, its author and time, and whether the
 * work tree differs from it. Snapshot metadata only: never in a resource or a version hash, so
 * compiled output stays byte-identical wherever and whenever it is compiled.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
/** git never gets longer than this; provenance is informational and must not hold up serving. */
const GIT_TIMEOUT_MS = 5_000;

export interface GitProvenance {
  readonly commit: string;
  /** `Name <email>` of the commit's author. */
  readonly author: string;
  /** The commit time, ISO 8601 in UTC. */
  readonly time: string;
  /** Whether a file of the config differs from that commit (edited, staged or untracked). */
  readonly dirty: boolean;
}

export interface Provenance {
  /** sha256 over the config's files (path relative to the config's directory, then contents), sorted by path. */
  readonly configHash: string;
  readonly git?: GitProvenance;
}

/** The hash of `files`; a file that cannot be read counts as its error code, so the hash still says "something else". */
export async function configHash(configFile: string, files: readonly string[]): Promise<string> {
  const base = dirname(configFile);
  const hash = createHash("sha256");
  for (const file of [...new Set([configFile, ...files])].sort()) {
    hash.update(relative(base, file)).update("\0");
    hash.update(await readFile(file).catch((error: NodeJS.ErrnoException) => Buffer.from(`unreadable: ${error.code ?? "error"}`))).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run("git", [...args], { cwd, timeout: GIT_TIMEOUT_MS, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } });
  return stdout;
}

/** The repository's HEAD commit, or undefined outside a repository (or without git). */
export async function gitProvenance(configFile: string, files: readonly string[]): Promise<GitProvenance | undefined> {
  const cwd = dirname(configFile);
  try {
    const [commit, author, time] = (await git(cwd, ["log", "-1", "--format=%H%x00%an <%ae>%x00%cI"])).trim().split("\0");
    if (!commit || !author || !time) return undefined;
    // Files outside the repository (certificates kept elsewhere) are not git's to judge.
    const top = (await git(cwd, ["rev-parse", "--show-toplevel"])).trim();
    const inRepo = [...new Set([configFile, ...files])].filter((file) => !relative(top, file).startsWith(".."));
    const status = await git(cwd, ["status", "--porcelain", "--", ...inRepo]);
    return { commit, author, time: new Date(time).toISOString(), dirty: status.trim() !== "" };
  } catch {
    return undefined;
  }
}

export async function provenance(configFile: string, files: readonly string[]): Promise<Provenance> {
  const [hash, repo] = await Promise.all([configHash(configFile, files), gitProvenance(configFile, files)]);
  return { configHash: hash, ...(repo ? { git: repo } : {}) };
}
