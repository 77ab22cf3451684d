/**
 * A hot reload of a large YAML file usually edits or adds one route. The text before and after the
 * edit is unchanged, so when the edit lies inside one block sequence item (yaml-items.ts) only that
 * item's lines are parsed again, and the item's value replaces the old one — or, where the lines
 * now read as several items (a route added after it), the items replace it in its list: the rest
 * of the config keeps its objects, for later stages to recognise what did not change.
 * test/config/yaml-reread.test.ts holds a reread equal to a whole read across many edits.
 */
import type { ModelPath } from "../locate.ts";
import { readYamlFast } from "./yaml-fast.ts";
import { fastLocator, type RangeLocator } from "./yaml-fast-positions.ts";
import { type SequenceItem, sequenceItems } from "./yaml-items.ts";
import type { FileContent } from "./file-content.ts";

/** What the last read of a file leaves for the next one. */
export interface LastRead {
  readonly content: FileContent;
  readonly items: readonly SequenceItem[];
}

/** An edit inside one item: the item read again, and the items of the new text. */
export interface ItemEdit {
  /** Where the edited item's value sits in the config: an index in a list. */
  readonly path: ModelPath;
  /** What its lines read as now (not yet plain data): the item, or it and the items added after it. */
  readonly values: readonly unknown[];
  readonly items: readonly SequenceItem[];
  /** Where paths inside the items read (`[0, ...]` is the first) are written in the new text (the rest: `movedRanges`). */
  readonly ranges: RangeLocator;
  /** The edited item's lines in the last text, and how much longer the new text is. */
  readonly lineStart: number;
  readonly end: number;
  readonly shift: number;
}

/**
 * The span of `before` that `after` rewrote: [start, before's end) became [start, after's end).
 * The common start and end are found by halving: each step compares one run natively (a memcmp),
 * a few dozen calls for a file of any size instead of a look at every character or block.
 */
function changedRange(before: FileContent, after: FileContent): { start: number; beforeEnd: number } {
  const limit = Math.min(before.length, after.length);
  // [0, start) reads the same; the common start is at most `most`.
  let start = 0;
  let most = limit;
  while (start < most) {
    const mid = (start + most + 1) >> 1;
    if (before.same(start, after, start, mid - start)) start = mid;
    else most = mid - 1;
  }
  // The last `common` characters read the same; at most `room`, so that the two spans never overlap.
  let common = 0;
  let room = limit - start;
  while (common < room) {
    const mid = (common + room + 1) >> 1;
    if (before.same(before.length - mid, after, after.length - mid, mid - common)) common = mid;
    else room = mid - 1;
  }
  return { start, beforeEnd: before.length - common };
}

/** The items whose lines hold the whole change (their `-` and indentation untouched), innermost first. */
function itemsAround(items: readonly SequenceItem[], start: number, beforeEnd: number): SequenceItem[] {
  const around: SequenceItem[] = [];
  for (const item of items) {
    if (item.dash >= start) break;
    if (beforeEnd <= item.end) around.unshift(item);
  }
  return around;
}

/**
 * Reads again only the item `content` changed since `last`; undefined when the change is not inside
 * one item (read the whole file). When the innermost item's lines no longer read as items in its
 * place (a line dedented out of it), the item around it is tried (the API that lists the routes).
 */
export function rereadItem(last: LastRead, content: FileContent): ItemEdit | undefined {
  const change = changedRange(last.content, content);
  const tried = new Set<SequenceItem>();
  for (const { start, beforeEnd } of [change, leftmost(last.content, content, change)]) {
    for (const edited of itemsAround(last.items, start, beforeEnd)) {
      if (tried.has(edited)) continue;
      tried.add(edited);
      const edit = reread(last, content, edited);
      if (edit) return edit;
    }
  }
  return undefined;
}

/**
 * The same insertion or deletion moved as far back as it reads the same. Lines added after an item
 * are found after the next line's indentation (the common prefix runs into it), outside the item;
 * moved back, they follow the item's last line, inside the item around it.
 */
function leftmost(before: FileContent, after: FileContent, { start, beforeEnd }: { start: number; beforeEnd: number }): { start: number; beforeEnd: number } {
  const shift = after.length - before.length;
  let at = start;
  let end = beforeEnd;
  const inserted = end === at && shift > 0;
  const deleted = end - at === -shift;
  // An insertion slides while the character before it ends the inserted text; a deletion, while it ends the deleted text.
  while (at > 0 && ((inserted && before.code(at - 1) === after.code(at + shift - 1)) || (deleted && before.code(at - 1) === before.code(end - 1)))) {
    at--;
    if (deleted) end--;
    else end = at;
  }
  return { start: at, beforeEnd: end };
}

/** Whether each of `heads` (the top-level items of a fragment) is self-contained and follows the last at `column`, the last running to the end. */
function itemsInARow(heads: readonly SequenceItem[], column: number, length: number): boolean {
  return heads.every((head, n) => head.path[0] === n && head.dash - head.lineStart === column && head.end === (heads[n + 1]?.lineStart ?? length));
}

function reread(last: LastRead, content: FileContent, edited: SequenceItem): ItemEdit | undefined {
  const shift = content.length - last.content.length;
  // Its own string (as FileContent cuts them): the item's locator keeps it, and a slice would keep this version of the whole file.
  const fragment = content.text(edited.lineStart, edited.end + shift);
  const read = readYamlFast(fragment);
  if (!read?.spans || !Array.isArray(read.value) || read.value.length === 0) return undefined;
  // Still self-contained items at the same indentation, one after another, running to the end of its lines.
  const inner = sequenceItems(fragment, read.spans);
  const heads = inner.filter((item) => item.path.length === 1);
  if (heads.length !== read.value.length || heads[0]!.lineStart !== 0 || !itemsInARow(heads, edited.dash - edited.lineStart, fragment.length)) return undefined;
  const { list, index } = listIndex(edited.path);
  const added = heads.length - 1;
  const moved = (item: SequenceItem, by: number, path = item.path): SequenceItem => ({ path, lineStart: item.lineStart + by, dash: item.dash + by, end: item.end + by });
  const items: SequenceItem[] = [];
  // The items after it in its list (and theirs) come first after its lines: that many places further on.
  let renumbering = added > 0;
  for (const item of last.items) {
    if (item.dash < edited.dash) items.push(item.end >= edited.end ? { ...item, end: item.end + shift } : item);
    else if (item.dash === edited.dash) items.push(...inner.map((one) => moved(one, edited.lineStart, [...list, index + Number(one.path[0]), ...one.path.slice(1)])));
    else if (item.dash >= edited.end) {
      renumbering &&= isBelow(item.path, list);
      items.push(moved(item, shift, renumbering ? [...list, Number(item.path[list.length]) + added, ...item.path.slice(list.length + 1)] : item.path));
    }
  }
  const ranges = fastLocator(fragment, read.spans);
  const itemRanges: RangeLocator = (path, part) => {
    const range = ranges(path, part);
    return range ? { start: range.start + edited.lineStart, end: range.end + edited.lineStart } : range;
  };
  return { path: edited.path, values: read.value, items, ranges: itemRanges, lineStart: edited.lineStart, end: edited.end, shift };
}

/** The list an item's path is in, and the item's index there. */
export function listIndex(path: ModelPath): { list: ModelPath; index: number } {
  return { list: path.slice(0, -1), index: Number(path[path.length - 1]) };
}

/** Whether `path` is below `prefix` (a number and its digits are the same segment). */
const isBelow = (path: ModelPath, prefix: ModelPath) => path.length > prefix.length && prefix.every((segment, index) => path[index] === segment || String(path[index]) === String(segment));

/**
 * Where paths are written after `edit`: inside the edited item from its own read, elsewhere where
 * they were, moved by the edit's change of length. A range that ended inside the item's old lines
 * (a mapping whose last entry the item is, written without a trailing newline) is not answered.
 */
export function movedRanges(before: RangeLocator, edit: ItemEdit): RangeLocator {
  // Not `edit` itself: the locator outlives the reread, and the edit holds every item of the new text.
  const { ranges: itemRanges, lineStart, end, shift } = edit;
  const { list, index } = listIndex(edit.path);
  const count = edit.values.length;
  const moved = (offset: number) => (offset <= lineStart ? offset : offset >= end ? offset + shift : undefined);
  return (path, part) => {
    const at = isBelow(path, list) ? Number(path[list.length]) : -1;
    if (at >= index && at < index + count) return itemRanges([at - index, ...path.slice(list.length + 1)], part);
    // An item after the ones read was that many places further back.
    const range = before(at >= index + count ? [...list, at - count + 1, ...path.slice(list.length + 1)] : path, part);
    if (!range) return range;
    const start = moved(range.start);
    const end = moved(range.end);
    return start === undefined || end === undefined ? undefined : { start, end };
  };
}
