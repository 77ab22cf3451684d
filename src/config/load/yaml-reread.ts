/**
 * A hot reload of a large YAML file usually edits one route. The text before and after the edit
 * is unchanged, so when the edit lies inside one block sequence item (yaml-items.ts) only that
 * item's lines are parsed again, and the item's value replaces the old one: the rest of the
 * config keeps its objects, for later stages to recognise what did not change.
 * test/config/yaml-reread.test.ts holds a reread equal to a whole read across many edits.
 */
import type { ModelPath } from "../locate.ts";
import { readYamlFast } from "./yaml-fast.ts";
import { fastLocator, type RangeLocator } from "./yaml-fast-positions.ts";
import { type SequenceItem, sequenceItems } from "./yaml-items.ts";

/** What the last read of a file leaves for the next one. */
export interface LastRead {
  readonly text: string;
  readonly items: readonly SequenceItem[];
}

/** An edit inside one item: the item read again, and the items of the new text. */
export interface ItemEdit {
  /** Where the edited item's value sits in the config. */
  readonly path: ModelPath;
  /** The item's value as read on its own (not yet plain data). */
  readonly value: unknown;
  readonly items: readonly SequenceItem[];
  /** Where paths inside the item are written in the new text (the rest: `movedRanges`). */
  readonly ranges: RangeLocator;
  /** The edited item's lines in the last text, and how much longer the new text is. */
  readonly lineStart: number;
  readonly end: number;
  readonly shift: number;
}

/** The span of `before` that `after` rewrote: [start, before's end) became [start, after's end). */
function changedRange(before: string, after: string): { start: number; beforeEnd: number } {
  const limit = Math.min(before.length, after.length);
  let start = 0;
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let common = 0;
  while (common < limit - start && before.charCodeAt(before.length - 1 - common) === after.charCodeAt(after.length - 1 - common)) common++;
  return { start, beforeEnd: before.length - common };
}

/** The innermost item whose lines hold the whole change (its `-` and indentation untouched). */
function itemAround(items: readonly SequenceItem[], start: number, beforeEnd: number): SequenceItem | undefined {
  let around: SequenceItem | undefined;
  for (const item of items) {
    if (item.dash >= start) break;
    if (beforeEnd <= item.end) around = item;
  }
  return around;
}

/** Reads again only the item `text` changed since `last`; undefined when the change is not inside one item (read the whole file). */
export function rereadItem(last: LastRead, text: string): ItemEdit | undefined {
  const { start, beforeEnd } = changedRange(last.text, text);
  const edited = itemAround(last.items, start, beforeEnd);
  if (!edited) return undefined;
  const shift = text.length - last.text.length;
  const fragment = text.slice(edited.lineStart, edited.end + shift);
  const read = readYamlFast(fragment);
  if (!read?.spans || !Array.isArray(read.value) || read.value.length !== 1) return undefined;
  // Still one self-contained item, at the same indentation, running to the end of its lines.
  const inner = sequenceItems(fragment, read.spans);
  const head = inner[0];
  if (head?.path.length !== 1 || head.dash !== edited.dash - edited.lineStart || head.end !== fragment.length) return undefined;
  const moved = (item: SequenceItem, by: number, path = item.path): SequenceItem => ({ path, lineStart: item.lineStart + by, dash: item.dash + by, end: item.end + by });
  const items: SequenceItem[] = [];
  for (const item of last.items) {
    if (item.dash < edited.dash) items.push(item.end >= edited.end ? { ...item, end: item.end + shift } : item);
    else if (item.dash === edited.dash) items.push(...inner.map((one) => moved(one, edited.lineStart, [...edited.path, ...one.path.slice(1)])));
    else if (item.dash >= edited.end) items.push(moved(item, shift));
  }
  const ranges = fastLocator(fragment, read.spans);
  const itemRanges: RangeLocator = (path, part) => {
    const range = ranges([0, ...path.slice(edited.path.length)], part);
    return range && { start: range.start + edited.lineStart, end: range.end + edited.lineStart };
  };
  return { path: edited.path, value: read.value[0], items, ranges: itemRanges, lineStart: edited.lineStart, end: edited.end, shift };
}

/**
 * Where paths are written after `edit`: inside the edited item from its own read, elsewhere where
 * they were, moved by the edit's change of length. A range that ended inside the item's old lines
 * (a mapping whose last entry the item is, written without a trailing newline) is not answered.
 */
export function movedRanges(before: RangeLocator, edit: ItemEdit): RangeLocator {
  const within = (path: ModelPath) => path.length >= edit.path.length && edit.path.every((segment, index) => String(path[index]) === String(segment));
  const moved = (offset: number) => (offset <= edit.lineStart ? offset : offset >= edit.end ? offset + edit.shift : undefined);
  return (path, part) => {
    if (within(path)) return edit.ranges(path, part);
    const range = before(path, part);
    const start = range && moved(range.start);
    const end = range && moved(range.end);
    return start === undefined || end === undefined ? undefined : { start, end };
  };
}
