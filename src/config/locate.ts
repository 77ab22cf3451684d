import type { SourceLocation } from "./diagnostics.ts";

/** A path into the config model, e.g. ["apis", 0, "versions", "v1", "routes", 2, "provider"]. */
export type ModelPath = readonly (string | number)[];

/**
 * Maps a model path to where it is written. `part: "key"` asks for the property name rather than
 * its value (for "unknown property" findings). Returns undefined when the path is not written in
 * the source (a default, or a value computed at run time).
 */
export type Locate = (path: ModelPath, part?: "key" | "value") => SourceLocation | undefined;

/** Locates `path`, or the closest written ancestor, or the start of the file. */
export function locateNearest(locate: Locate, file: string, path: ModelPath, part?: "key" | "value"): SourceLocation {
  const exact = locate(path, part);
  if (exact) return exact;
  for (let length = path.length - 1; length >= 0; length--) {
    const ancestor = locate(path.slice(0, length));
    if (ancestor) return ancestor;
  }
  return { file, line: 1, column: 1 };
}
