/** A position in a config file; lines and columns start at 1. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** `file:line:column`, as editors and terminals link a position. */
export function locationText(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

export type Severity = "error" | "warning";

/**
 * One finding about a user's config. Every stage (load, validate, resolve, translate, policy)
 * reports through this shape so the CLI, the control plane's /status and CI annotations print
 * them the same way.
 */
export interface Diagnostic {
  /** Stable identifier, e.g. `PCL1001`; documented and never reused for another meaning. */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** How to fix it ("did you mean 'orders-v2'?"). */
  readonly hint?: string;
  /** Where in the model, e.g. ["apis", 0, "versions", "v1", "routes", 2, "provider"]. */
  readonly path?: readonly (string | number)[];
  readonly location?: SourceLocation;
  /** The located value holds a secret (a password in a URL, say): printers mask it in code frames. */
  readonly secretValue?: boolean;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
