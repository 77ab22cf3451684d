/**
 * A review as text (the terminal), Markdown (a pull-request comment), JSON (tools) or GitHub
 * annotations (each change on the config line it is about).
 */
import { relative } from "node:path";
import { formatDiagnostics } from "../cli/format.ts";
import { type LocatedChange, RISK_ORDER, type Risk } from "./change.ts";

export type ReviewFormat = "text" | "markdown" | "json" | "github";
export const REVIEW_FORMATS: readonly ReviewFormat[] = ["text", "markdown", "json", "github"];

export interface Review {
  readonly gateway: string;
  /** What the config was compared with, e.g. `main (merge base 1a2b3c4d)` or a directory. */
  readonly base: string;
  /** Facts about the comparison a reader needs (uncommitted changes included, a new config). */
  readonly notes: readonly string[];
  readonly changes: readonly LocatedChange[];
  /** Envoy resource lines (src/review/resource-diff.ts); empty when either side did not translate. */
  readonly resources: readonly string[];
}

const HEADINGS: Record<Risk, string> = { loosens: "Loosens access or security", review: "Needs review", tightens: "Tightens" };
const MARKS: Record<Risk, string> = { loosens: "!", review: "~", tightens: "-" };

const where = (change: LocatedChange, cwd: string) => (change.location ? `${shownPath(change.location.file, cwd)}:${change.location.line}` : undefined);

function shownPath(file: string, cwd: string): string {
  const path = relative(cwd, file);
  return path && !path.startsWith("..") ? path : file;
}

function text(review: Review, cwd: string): string {
  const title = review.changes.length
    ? `Changes to gateway ${review.gateway} against ${review.base}:`
    : `No ${review.resources.length ? "access, security or lifecycle " : ""}changes to gateway ${review.gateway} against ${review.base}.`;
  const lines = [title];
  lines.push(...review.notes.map((note) => `note: ${note}`));
  for (const risk of RISK_ORDER) {
    const changes = review.changes.filter((change) => change.risk === risk);
    if (changes.length === 0) continue;
    lines.push("", `${HEADINGS[risk]}:`);
    for (const change of changes) lines.push(`  ${MARKS[risk]} ${change.message}${where(change, cwd) ? `  (${where(change, cwd)})` : ""}`);
  }
  if (review.resources.length) lines.push("", "Envoy resources:", ...review.resources.map((line) => `  ${line}`));
  return `${lines.join("\n")}\n`;
}

const escapeMarkdown = (value: string) => value.replace(/[\\`*_<>[\]|#]/g, (c) => `\\${c}`);

const MARKDOWN_RESOURCE_LINES = 200;

/** The marker a CI job finds its previous comment by, to edit it instead of adding another. */
export const COMMENT_MARKER = "<!-- portcullis diff -->";

function markdown(review: Review, cwd: string): string {
  const counts = RISK_ORDER.map((risk) => [risk, review.changes.filter((change) => change.risk === risk)] as const);
  const lines = [COMMENT_MARKER, `## Portcullis: what this change does to gateway ${escapeMarkdown(review.gateway)}`, "", `Compared with ${escapeMarkdown(review.base)}.`];
  for (const note of review.notes) lines.push("", `> ${escapeMarkdown(note)}`);
  if (review.changes.length === 0) lines.push("", "No access, security or lifecycle changes.");
  for (const [risk, changes] of counts) {
    if (changes.length === 0) continue;
    lines.push("", `### ${risk === "loosens" ? "⚠️ " : ""}${HEADINGS[risk]} (${changes.length})`, "");
    for (const change of changes) lines.push(`- **${change.area}**: ${escapeMarkdown(change.message)}${where(change, cwd) ? ` — \`${where(change, cwd)}\`` : ""}`);
  }
  if (review.resources.length) {
    // A pull-request comment holds 65,536 characters: the resource lines are the part to cut.
    const shown = review.resources.slice(0, MARKDOWN_RESOURCE_LINES);
    const more = review.resources.length - shown.length;
    const cut = more > 0 ? [`… ${more} more lines: run portcullis diff to see them all`] : [];
    lines.push("", `<details><summary>Envoy resources (${review.resources.filter((line) => !line.startsWith(" ")).length} changed)</summary>`, "", "```", ...shown, ...cut, "```", "", "</details>");
  }
  return `${lines.join("\n")}\n`;
}

function json(review: Review, cwd: string): string {
  const changes = review.changes.map(({ area, risk, kind, message, location }) => ({ area, risk, kind, message, ...(location ? { location: { ...location, file: shownPath(location.file, cwd) } } : {}) }));
  return `${JSON.stringify({ gateway: review.gateway, base: review.base, notes: review.notes, changes, resources: review.resources }, null, 2)}\n`;
}

/** Every change as a warning annotation (tightening as well: a reviewer should see it), titled by its kind. */
function github(review: Review, cwd: string): string {
  const diagnostics = review.changes.map((change) => ({ code: `portcullis diff ${change.kind}`, severity: "warning" as const, message: change.message, ...(change.location ? { location: change.location } : {}) }));
  return diagnostics.length ? formatDiagnostics(diagnostics, { format: "github", cwd, color: false }) : "";
}

export function renderReview(review: Review, format: ReviewFormat, cwd: string): string {
  switch (format) {
    case "text":
      return text(review, cwd);
    case "markdown":
      return markdown(review, cwd);
    case "json":
      return json(review, cwd);
    case "github":
      return github(review, cwd);
  }
}
