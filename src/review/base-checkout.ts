/**
 * The other side of a diff: the same config at a git ref, or in a directory holding another
 * checkout. A ref's tree is written into a temporary directory with a temporary index
 * (`git read-tree` + `checkout-index`), so the user's repository — its index, work tree, branches
 * and worktree list — is never touched; the directory is removed whatever happens.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { discoverConfig } from "../config/discover.ts";
import { UserError } from "../errors.ts";

export interface BaseTree {
  /** The directory that plays the repository root on the base side. */
  readonly root: string;
  /** What it is, for the report: `main (merge base 1a2b3c4d)`, `origin/main (1a2b3c4d)`, a directory. */
  readonly label: string;
  /** A directory the user named (not a checkout Portcullis made). */
  readonly named: boolean;
  /** Removes what was written; a no-op for a directory the user named. */
  readonly dispose: () => void;
}

const NO_GIT = new UserError("diff needs git to read the base side, and git is not installed; or name a checkout of the base with --against DIR");

function git(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...(env ? { env: { ...process.env, ...env } } : {}) }).trim();
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") throw NO_GIT;
    throw new UserError(`git ${args.join(" ")} failed: ${(failure.stderr ?? String(error)).trim()}`);
  }
}

/** The output of a git command that may fail for an ordinary reason (not a repository, no such ref). */
const tryGit = (cwd: string, args: readonly string[]) => {
  try {
    return git(cwd, args);
  } catch (error) {
    if (error === NO_GIT) throw error;
    return undefined;
  }
};

/** The repository's top directory, or undefined outside a git work tree. */
export function repositoryRoot(dir: string): string | undefined {
  return tryGit(dir, ["rev-parse", "--show-toplevel"]);
}

const commitOf = (root: string, ref: string) => tryGit(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);

/** Where the default branch is: origin/HEAD, else main or master (local, then origin's). */
const DEFAULT_BRANCHES = ["origin/HEAD", "main", "master", "origin/main", "origin/master"];

/** The merge base of HEAD with the default branch: what a pull request is compared with. */
export function defaultBase(root: string): { commit: string; label: string } {
  const branch = DEFAULT_BRANCHES.find((candidate) => commitOf(root, candidate) !== undefined);
  if (!branch) throw new UserError(`no default branch to compare with (looked for ${DEFAULT_BRANCHES.join(", ")}): name the base with --against REF or --against DIR`);
  if (!commitOf(root, "HEAD")) throw new UserError("the repository has no commit yet: name the base with --against DIR");
  const base = tryGit(root, ["merge-base", "HEAD", branch]);
  if (!base) throw new UserError(`HEAD and ${branch} share no history: name the base with --against REF`);
  const name = branch === "origin/HEAD" ? (tryGit(root, ["rev-parse", "--abbrev-ref", "origin/HEAD"]) ?? branch) : branch;
  return { commit: base, label: `${name} (merge base ${base.slice(0, 8)})` };
}

export function resolveRef(root: string, ref: string): { commit: string; label: string } {
  const commit = commitOf(root, ref);
  if (!commit) throw new UserError(`--against ${ref}: not a directory, and not a commit, branch or tag of the repository at ${root}`);
  return { commit, label: `${ref} (${commit.slice(0, 8)})` };
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Writes the tree of `commit` into a temporary directory; node_modules is linked from the work tree, for configs that import packages. */
export function checkoutCommit(root: string, commit: string, label: string): BaseTree {
  const temp = mkdtempSync(join(tmpdir(), "portcullis-diff-"));
  // Interrupted (Ctrl-C, a CI job cancelled), the copy is removed before the signal takes its course.
  const onSignal = (signal: NodeJS.Signals) => {
    dispose();
    process.kill(process.pid, signal);
  };
  const dispose = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    rmSync(temp, { recursive: true, force: true });
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    const tree = join(temp, "tree");
    const env = { GIT_INDEX_FILE: join(temp, "index") };
    git(root, ["read-tree", commit], env);
    git(root, ["checkout-index", "--all", `--prefix=${tree}/`], env);
    const modules = join(root, "node_modules");
    if (existsSync(modules) && !existsSync(join(tree, "node_modules"))) symlinkSync(modules, join(tree, "node_modules"), "dir");
    return { root: tree, label, named: false, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** A directory the user named as the base: another checkout of the repository (or of the config's folder). */
export function checkoutDirectory(dir: string, shown: string): BaseTree {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--against ${shown}: no such directory`);
  return { root: dir, label: shown, named: true, dispose: () => {} };
}

/** Uncommitted changes in the work tree (they are part of the new side). */
export function isDirty(root: string): boolean {
  return (tryGit(root, ["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "";
}

/**
 * The base side's config: the file at the same place relative to the root, else whatever config
 * that folder holds (a gateway.yaml that became gateway.config.ts), else — for a directory the user
 * named — the config at its top (a copy of just the config's folder); undefined when there is none.
 */
export function baseConfigFile(config: string, root: string, base: BaseTree): string | undefined {
  const inRepo = relative(realpathSync(root), realpathSync(config));
  const candidates = [join(base.root, inRepo), join(base.root, dirname(inRepo)), ...(base.named ? [base.root] : [])];
  return candidates.map((candidate) => discoverConfig(candidate, base.root)).find((found) => found.found)?.file;
}
