import { CODES, type Code } from "./codes.ts";
import type { Diagnostic, Severity } from "./diagnostics.ts";
import { locateNearest, type Locate, type ModelPath } from "./locate.ts";

/** Where findings are placed: the file and how to map model paths into it. */
export interface Placement {
  readonly file: string;
  readonly locate: Locate;
}

export interface FindingDetails {
  readonly hint?: string | undefined;
  /** Overrides the code's default severity (e.g. warnings in permissive zero trust). */
  readonly severity?: Severity;
  /** Point at the property name instead of its value. */
  readonly at?: "key" | "value";
}

/** Builds a located diagnostic; every finding of the config stage goes through here. */
export function finding(place: Placement, code: Code, message: string, path: ModelPath, details: FindingDetails = {}): Diagnostic {
  return {
    code,
    severity: details.severity ?? CODES[code].severity,
    message,
    ...(details.hint ? { hint: details.hint } : {}),
    path: [...path],
    location: locateNearest(place.locate, place.file, path, details.at),
  };
}
