/**
 * Where each node of a YAML file is written, from js-yaml's open/close events as the fast reader
 * reads it (yaml-fast.ts): findings are placed without the full parser, about ten times slower. A
 * node whose events do not pair up with its value as expected (an empty sequence item, a flow key
 * without a value) or that is empty is not answered: the caller asks the full parser.
 * test/config/yaml-fast.test.ts holds both locators equal on every path of every YAML file here.
 */
import type { ModelPath } from "../locate.ts";

/** One node: where js-yaml opened and closed it, what it is, and its nodes (a mapping's alternate key, value). */
export interface Span {
  start: number;
  end: number;
  kind: string | null;
  value: unknown;
  children: Span[];
}

/** The offsets a node is written at: its first character, and where its value ends. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** The first offset at or after `at` that is neither whitespace nor a comment. */
function skipBlank(text: string, at: number): number {
  let i = at;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] !== "#") return i;
    while (i < text.length && text[i] !== "\n") i++;
  }
}

/** Where a node's value ends: before trailing whitespace and, unless it is a block scalar, whole comment lines. */
function trimEnd(text: string, start: number, end: number, blockScalar: boolean): number {
  let i = end;
  for (;;) {
    while (i > start && /\s/.test(text[i - 1]!)) i--;
    const lineStart = text.lastIndexOf("\n", i - 1) + 1;
    if (blockScalar || lineStart <= start || text.slice(lineStart, i).trimStart()[0] !== "#") return i;
    i = lineStart;
  }
}

/** A node js-yaml opened twice (a value slot, then the value) is the inner one. */
export function unwrap(span: Span): Span {
  let node = span;
  while (node.children.length === 1 && node.children[0]!.kind === node.kind && node.children[0]!.value === node.value) node = node.children[0]!;
  return node;
}

/** Builds the span tree from js-yaml's `listener` events during one read. */
export class SpanRecorder {
  readonly #stack: Span[] = [{ start: 0, end: 0, kind: "root", value: undefined, children: [] }];

  readonly listener = (event: "open" | "close", state: unknown): void => {
    const { position, kind, result } = state as { position: number; kind: string | null; result: unknown };
    if (event === "open") {
      this.#stack.push({ start: position, end: position, kind: null, value: undefined, children: [] });
      return;
    }
    const node = this.#stack.pop()!;
    node.end = position;
    node.kind = kind;
    node.value = result;
    this.#stack.at(-1)!.children.push(node);
  };

  root(): Span | undefined {
    const root = this.#stack[0]!.children[0];
    return root && unwrap(root);
  }
}

/** The child at one path segment: a mapping's value (or key) by key, a sequence's item by index; null when there is none, undefined when it cannot tell. */
function child(node: Span, segment: string | number, part: "key" | "value"): Span | null | undefined {
  const children = node.children.map(unwrap);
  if (node.kind === "mapping" && node.value !== null && typeof node.value === "object") {
    if (children.length !== 2 * Object.keys(node.value).length) return undefined;
    for (let i = 0; i < children.length; i += 2) {
      if (String(children[i]!.value) === String(segment)) return part === "key" ? children[i] : children[i + 1];
    }
    return null;
  }
  if (node.kind === "sequence" && Array.isArray(node.value)) {
    if (children.length !== node.value.length) return undefined;
    return typeof segment === "number" ? (children[segment] ?? null) : null;
  }
  return node.kind === "scalar" ? null : undefined;
}

/**
 * Where a path is written, as offsets; null when it is not written (a default, an absent
 * section); undefined when it cannot tell (ask the full parser).
 */
export type RangeLocator = (path: ModelPath, part?: "key" | "value") => Range | null | undefined;

/** Finds where paths are written in `text`, read into `root`. */
export function fastLocator(text: string, root: Span): RangeLocator {
  return (path, part) => {
    let node: Span | null | undefined = root;
    path.forEach((segment, index) => {
      node = node && child(node, segment, index === path.length - 1 && part === "key" ? "key" : "value");
    });
    const found = node as Span | null | undefined;
    if (found === null) return null;
    // An empty value is written nowhere js-yaml says: the full parser places it.
    if (!found || found.kind === null) return undefined;
    const start = skipBlank(text, found.start);
    const blockScalar = found.kind === "scalar" && (text[start] === "|" || text[start] === ">");
    const end = trimEnd(text, start, found.end, blockScalar);
    // A block collection or scalar ends where its last line does, newline included (as the full parser counts it).
    const block = blockScalar || ((found.kind === "mapping" || found.kind === "sequence") && text[start] !== "{" && text[start] !== "[");
    return { start, end: block && text[end] === "\n" ? end + 1 : end };
  };
}
