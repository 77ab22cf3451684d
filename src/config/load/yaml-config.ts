/**
 * Reads a YAML config file to plain, frozen data. A file read before is read again only where it
 * was edited when the edit lies inside one block sequence item (yaml-reread.ts): `serve --watch`
 * recompiles a one-route edit of a large file without parsing the file, and every part the edit
 * left alone keeps its objects.
 */
import type { Locate, ModelPath } from "../locate.ts";
import { RecentlyUsed } from "../../recently-used.ts";
import { freezeConfig } from "../frozen-config.ts";
import { type FileContent, textContent } from "./file-content.ts";
import { plainObject, toPlainData } from "./plain-data.ts";
import type { ParsedSource } from "./source.ts";
import { lazyLocator, parseYaml } from "./yaml.ts";
import { readYamlFast } from "./yaml-fast.ts";
import { fastLocator, type RangeLocator } from "./yaml-fast-positions.ts";
import { sequenceItems } from "./yaml-items.ts";
import { type ItemEdit, type LastRead, listIndex, movedRanges, rereadItem } from "./yaml-reread.ts";

interface RememberedRead extends LastRead {
  /** The config the text reads to: plain, frozen data. */
  readonly value: unknown;
  /** Where paths are written in the text. */
  readonly ranges: RangeLocator;
  /**
   * The same from the moves of the rereads alone, without reading any text: what the next reread
   * builds on, so that the chain holds the first text and not one more for every reread (a path
   * the moves cannot place is looked up in the newest text only).
   */
  readonly placed: RangeLocator;
  /** Rereads since `placed` was last made from a text: each puts its moves in front of the last read's ranges. */
  readonly rereads: number;
}

/** Files whose last read is remembered: a few gateways' worth, most recently read last. */
const REMEMBERED_FILES = 16;
/**
 * After this many rereads the next one places paths from its own text (read fast on the first
 * question) instead of through the moves, so that placing a path never runs through a long chain.
 * Reading the whole file instead would put a whole parse on an edit's path every so often.
 */
const MAX_REREADS = 50;
const lastReads = new RecentlyUsed<string, RememberedRead>(REMEMBERED_FILES);

function remember(file: string, read: RememberedRead | undefined): void {
  if (read) lastReads.set(file, read);
  else lastReads.delete(file);
}

/** A copy of `root` with the value at `path` replaced; the copies are frozen, everything else shared. */
function replaceAt(root: unknown, path: ModelPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[key as number] = replaceAt(root[key as number], rest, value);
    return freezeConfig(copy);
  }
  const node = root as Record<string, unknown>;
  const copy = plainObject();
  for (const name of Object.keys(node)) copy[name] = name === String(key) ? replaceAt(node[name], rest, value) : node[name];
  return freezeConfig(copy);
}

/** The value at `path` in `root`, when there is one. */
function valueAt(root: unknown, path: ModelPath): unknown {
  let node = root;
  for (const key of path) node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/**
 * Remembers each answer: every reread puts its moves in front of the last read's, and the paths
 * later stages place on every compile (a policy finding about a version no edit touched) would
 * otherwise go down the whole chain of moves each time.
 */
function remembering(ranges: RangeLocator): RangeLocator {
  const answers = new Map<string, ReturnType<RangeLocator>>();
  return (path, part) => {
    const key = JSON.stringify([part ?? "", path]);
    if (answers.has(key)) return answers.get(key);
    const range = ranges(path, part);
    answers.set(key, range);
    return range;
  };
}

/** The last read again, for a file that did not change. */
function unchanged(file: string, content: FileContent, ranges: RangeLocator, value: unknown): ParsedSource {
  return { value, plain: true, diagnostics: [], locate: lazyLocator(file, () => content.text(), () => ranges) };
}

/**
 * The edited item of a remembered file read again and put in place, when the edit allows. No
 * closure made here may refer to `last`: closures of one call share their variables, so the new
 * locator would keep every earlier read, and its text, alive.
 */
function reread(file: string, content: FileContent, last: RememberedRead): ParsedSource | undefined {
  if (last.content.length === content.length && last.content.same(0, content, 0, content.length)) return unchanged(file, content, last.ranges, last.value);
  const edit = rereadItem(last, content);
  if (!edit) return undefined;
  let whole: RangeLocator | undefined | null;
  const wholeRange: RangeLocator = (path, part) => {
    if (whole === undefined) whole = wholeRanges(content.text());
    return whole?.(path, part);
  };
  const rebased = last.rereads >= MAX_REREADS;
  const placed = rebased ? wholeRange : remembering(movedRanges(last.placed, edit));
  // A path the moves cannot place is looked up in a fast read of the new text, made on the first such question.
  const ranges = rebased
    ? wholeRange
    : remembering((path, part) => {
        const range = placed(path, part);
        return range !== undefined ? range : wholeRange(path, part);
      });
  const locate = lazyLocator(file, () => content.text(), () => ranges);
  const value = itemsRead(last.value, edit, locate, file);
  if (value === undefined) return undefined;
  remember(file, { content, value, items: edit.items, ranges, placed, rereads: rebased ? 0 : last.rereads + 1 });
  return { value, plain: true, diagnostics: [], locate };
}

/**
 * `root` with the edited item's place in its list taken by what its lines read as now (the item, or
 * it and the items added after it); undefined when that is not config data (the whole read reports it).
 */
function itemsRead(root: unknown, edit: ItemEdit, locate: Locate, file: string): unknown {
  const { list, index } = listIndex(edit.path);
  const items = valueAt(root, list) as readonly unknown[];
  const read: unknown[] = [];
  for (const [offset, value] of edit.values.entries()) {
    // Any of them may be the item that was there: an item typed in front of it reads first.
    const plain = toPlainData(value, { file, locate }, { at: [...list, index + offset], freeze: true, previous: items[index] });
    if (plain.diagnostics.length > 0) return undefined;
    read.push(plain.value);
  }
  if (read.length === 1 && read[0] === items[index]) return root;
  return replaceAt(root, list, freezeConfig([...items.slice(0, index), ...read, ...items.slice(index + 1)]));
}

function wholeRanges(text: string): RangeLocator | null {
  const spans = readYamlFast(text)?.spans;
  return spans ? fastLocator(text, spans) : null;
}

/** A YAML config file's value (its text, or its contents as read: file-content.ts) as plain, frozen data, with its findings. */
export function readYamlConfig(file: string, source: string | FileContent): ParsedSource {
  const content = typeof source === "string" ? textContent(source) : source;
  const last = lastReads.get(file);
  const edited = last && reread(file, content, last);
  if (edited) return edited;
  const text = content.text();
  const parsed = parseYaml(file, text, "yaml");
  if (parsed.value === undefined) {
    remember(file, undefined);
    return parsed;
  }
  // Read whole, it still shares with the last read whatever is unchanged.
  const plain = toPlainData(parsed.value, { file, locate: parsed.locate }, { freeze: true, previous: last?.value });
  const clean = parsed.diagnostics.length === 0 && plain.diagnostics.length === 0;
  // Only a fast read knows where its items are; the full parser reads files with anchors and aliases, which an item could use.
  const ranges = clean && parsed.spans ? fastLocator(text, parsed.spans) : undefined;
  const remembered = ranges ? { content, value: plain.value, items: sequenceItems(text, parsed.spans!), ranges, placed: ranges, rereads: 0 } : undefined;
  remember(file, remembered);
  return { value: plain.value, plain: true, diagnostics: [...parsed.diagnostics, ...plain.diagnostics], locate: parsed.locate };
}
