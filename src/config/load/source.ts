import type { Diagnostic } from "../diagnostics.ts";
import type { Locate } from "../locate.ts";

/** What a format loader returns: the raw value as written, its own findings, and positions. */
export interface ParsedSource {
  /** The top-level value; absent when the file could not be parsed or evaluated. */
  readonly value?: unknown;
  readonly diagnostics: readonly Diagnostic[];
  readonly locate: Locate;
  /** Every file the config was read from: itself and, for a script, the local modules it imports. */
  readonly files?: readonly string[];
  /** The value is plain config data already (toPlainData's findings are among the diagnostics). */
  readonly plain?: boolean;
}

/** 1-based line and column of a 0-based offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** 1-based line and column of many offsets in `text`, by binary search over its line starts (many findings in a large file). */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", newline + 1)) starts.push(newline + 1);
  return (offset) => {
    const at = Math.min(Math.max(offset, 0), text.length);
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: at - starts[low]! + 1 };
  };
}
