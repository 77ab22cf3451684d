/**
 * `portcullis diff` end to end: compile the config in the work tree, find and compile the base
 * (a git ref, by default the merge base with the default branch, or a directory holding another
 * checkout), and describe the difference. Secrets are never read on either side. A directory that
 * holds compiled output rather than a config is compared resource by resource, as before.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve as resolvePath } from "node:path";
import { type CompileResult, compileGatewayFile } from "../compile.ts";
import { locateNearest } from "../config/locate.ts";
import { UserError } from "../errors.ts";
import { MANIFEST_FILE, readOutput } from "../xds/output-dir.ts";
import { INDEX_FILE, renderSnapshot } from "../xds/render.ts";
import { type BaseTree, baseConfigFile, checkoutCommit, checkoutDirectory, defaultBase, isDirty, repositoryRoot, resolveRef } from "./base-checkout.ts";
import type { LocatedChange } from "./change.ts";
import type { Review } from "./render.ts";
import { describeDiff } from "./resource-diff.ts";
import { reviewChanges } from "./review.ts";

export interface CompareOptions {
  readonly config: string | undefined;
  /** A git ref or a directory; absent: the merge base with the default branch. */
  readonly against: string | undefined;
  readonly cwd: string;
}

/** The review, or the new config's compile result when it cannot be compared (it does not resolve). */
export type Comparison = { readonly review: Review; readonly head: CompileResult } | { readonly review?: undefined; readonly head: CompileResult };

const rendered = (result: CompileResult) => (result.snapshot && result.ir ? renderSnapshot(result.snapshot, result.ir.routes) : undefined);

const isOutputDir = (dir: string) => existsSync(join(dir, MANIFEST_FILE)) || existsSync(join(dir, INDEX_FILE));

/** The base side the options name, and the notes it brings. */
function baseTree(options: CompareOptions, head: CompileResult, root: string | undefined): { tree: BaseTree; notes: string[] } {
  const dir = options.against !== undefined ? resolvePath(options.cwd, options.against) : undefined;
  if (dir && existsSync(dir)) return { tree: checkoutDirectory(dir, relative(options.cwd, dir) || "."), notes: [] };
  if (!root) {
    const shown = relative(options.cwd, head.file) || head.file;
    throw new UserError(`${shown} is not in a git repository, so there is no branch to compare with: name the base with --against DIR (a checkout of the base, or its generated/ output)`);
  }
  const base = options.against !== undefined ? resolveRef(root, options.against) : defaultBase(root);
  const notes = isDirty(root) ? ["the working tree has uncommitted changes: they are part of the new side"] : [];
  return { tree: checkoutCommit(root, base.commit, base.label), notes };
}

async function compileBase(file: string | undefined, shown: string, tree: BaseTree, notes: string[]): Promise<CompileResult | undefined> {
  if (!file) {
    notes.push(`there is no gateway config at ${shown} in ${tree.label}: everything is new`);
    return undefined;
  }
  const base = await compileGatewayFile(file, { cwd: dirname(file), secrets: "placeholder" });
  if (!base.ir) {
    const first = base.diagnostics.find((d) => d.severity === "error");
    throw new UserError(`the config in ${tree.label} does not compile, so there is nothing to compare with (${first?.code}: ${first?.message}); name another base with --against`);
  }
  return base;
}

export async function compare(options: CompareOptions): Promise<Comparison> {
  const head = await compileGatewayFile(options.config, { cwd: options.cwd, secrets: "placeholder" });
  if (!head.ir) return { head };
  const root = repositoryRoot(dirname(head.file));
  const { tree, notes } = baseTree(options, head, root);
  try {
    const file = baseConfigFile(head.file, root ?? options.cwd, tree);
    const after = rendered(head);
    // Policy errors leave a side without Envoy resources (the IR is still there to compare).
    const unrendered = (side: string) => `the ${side} config has errors, so Envoy resources are not compared`;
    if (!file && tree.named && isOutputDir(tree.root)) {
      // Compiled output, not a checkout: only its Envoy resources can be compared.
      const resources = after ? describeDiff(readOutput(tree.root), after) : [];
      notes.push("compared with compiled output, not a config: only Envoy resources are compared", ...(after ? [] : [unrendered("new")]));
      return { head, review: { gateway: head.ir.name, base: tree.label, notes, changes: [], resources } };
    }
    const base = await compileBase(file, relative(root ?? options.cwd, head.file), tree, notes);
    const before = base ? rendered(base) : new Map<string, string>();
    if (!before || !after) notes.push(unrendered(after ? "base" : "new"));
    const resources = before && after ? describeDiff(before, after) : [];
    const locate = head.locate;
    const changes = reviewChanges(base?.ir, head.ir).map((change): LocatedChange => (locate ? { ...change, location: locateNearest(locate, head.file, change.path) } : change));
    return { head, review: { gateway: head.ir.name, base: tree.label, notes, changes, resources } };
  } finally {
    tree.dispose();
  }
}
