/**
 * The Envoy resources two compiles differ in: one line per resource added, removed or changed,
 * with route details under route configurations (src/xds/route-diff.ts). What `diff` shows under
 * its sentences, and all it shows when compared with a generated output directory.
 */
import { INDEX_FILE } from "../xds/render.ts";
import { diffRoutes, routeSummariesOf } from "../xds/route-diff.ts";

/**
 * Route details come from the route summaries in each side's index, so a route configuration whose
 * Envoy resource is unchanged can still show review-only changes (a public reason, say).
 */
export function describeDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const summaries = { before: routeSummariesOf(before.get(INDEX_FILE)), after: routeSummariesOf(after.get(INDEX_FILE)) };
  const lines: string[] = [];
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter((path) => path !== INDEX_FILE).sort();
  for (const path of paths) {
    const old = before.get(path);
    const now = after.get(path);
    const routes = path.startsWith("routes/") ? diffRoutes({ file: old, summaries: summaries.before }, { file: now, summaries: summaries.after }) : [];
    if (old === now && routes.length === 0) continue;
    const resource = path.replace(/\.yaml$/, "");
    lines.push(old === undefined ? `+ added    ${resource}` : now === undefined ? `- removed  ${resource}` : old === now ? `~ changed  ${resource} (review summary only)` : `~ changed  ${resource}`);
    lines.push(...routes);
  }
  if (before.has(INDEX_FILE) && summaries.before.size === 0 && summaries.after.size > 0) {
    lines.push(`note: the old ${INDEX_FILE} has no route summaries (compiled by an older Portcullis): old route details show as ?`);
  }
  return lines;
}
