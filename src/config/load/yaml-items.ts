/**
 * The block sequence items of a YAML file (`- ` at the start of a line), with the lines each one
 * spans: a hot reload whose edit lies inside one item parses that item alone (yaml-reread.ts).
 * An item is self-contained text when it starts a line and runs until the next line written at
 * its indentation or less: nothing outside those lines can change how they read, and they cannot
 * change how the lines around them read — so long as they hold no anchor, alias, tag, open flow
 * collection or open quoted scalar, which the reread checks for itself.
 */
import type { ModelPath } from "../locate.ts";
import { type Span, unwrap } from "./yaml-fast-positions.ts";

/** One block sequence item: where its lines are and where its value sits in the config. */
export interface SequenceItem {
  readonly path: ModelPath;
  /** Start of the item's first line. */
  readonly lineStart: number;
  /** The item's `-`. */
  readonly dash: number;
  /** Start of the first line after the item that holds content at the item's indentation or less (or the end of the text). */
  readonly end: number;
}

const isBlank = (char: string | undefined) => char === " " || char === "\t" || char === "\r";

/** Where the lines of an item whose `-` is at `dash` (indentation `indent`) end. */
function itemEnd(text: string, dash: number, indent: number): number {
  let lineStart = text.indexOf("\n", dash) + 1;
  while (lineStart > 0 && lineStart < text.length) {
    let i = lineStart;
    while (text[i] === " ") i++;
    const first = text[i];
    const content = first !== undefined && first !== "\n" && first !== "#" && !isBlank(first);
    if (content && i - lineStart <= indent) return lineStart;
    lineStart = text.indexOf("\n", i) + 1;
  }
  return text.length;
}

/**
 * The item whose value js-yaml read at span `item`, if its `-` starts a line (a compact `- - x`
 * inner item does not) and its value ends within its lines (js-yaml lets a flow collection run on
 * at a lesser indentation: such an item is not self-contained).
 */
function sequenceItem(text: string, item: Span, path: ModelPath): SequenceItem | undefined {
  let dash = item.start - 1;
  while (dash >= 0 && (isBlank(text[dash]) || text[dash] === "\n")) dash--;
  if (text[dash] !== "-") return undefined;
  const lineStart = text.lastIndexOf("\n", dash - 1) + 1;
  for (let i = lineStart; i < dash; i++) if (text[i] !== " ") return undefined;
  const end = itemEnd(text, dash, dash - lineStart);
  let valueEnd = item.end;
  while (valueEnd > item.start && /\s/.test(text[valueEnd - 1]!)) valueEnd--;
  return valueEnd <= end ? { path, lineStart, dash, end } : undefined;
}

/** Every self-contained block sequence item of a fast read, in the order of their dashes (an item's inner items follow it). */
export function sequenceItems(text: string, root: Span | undefined): SequenceItem[] {
  const items: SequenceItem[] = [];
  const visit = (node: Span, path: ModelPath) => {
    const children = node.children.map(unwrap);
    if (node.kind === "mapping" && node.value !== null && typeof node.value === "object" && !Array.isArray(node.value)) {
      if (children.length !== 2 * Object.keys(node.value).length) return;
      for (let i = 0; i < children.length; i += 2) visit(children[i + 1]!, [...path, String(children[i]!.value)]);
    } else if (node.kind === "sequence" && Array.isArray(node.value) && children.length === node.value.length) {
      children.forEach((child, index) => {
        const item = sequenceItem(text, child, [...path, index]);
        if (item) items.push(item);
        visit(child, [...path, index]);
      });
    }
  };
  if (root) visit(root, []);
  return items.sort((a, b) => a.dash - b.dash);
}
