import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics.ts";
import type { Locate, ModelPath } from "../locate.ts";
import { pathText } from "../path-text.ts";
import { INLINE_SECRET_HINT } from "../schema-findings.ts";
import { isSecretRefPath } from "../secret-paths.ts";
import { lineColumn, lineIndex, type ParsedSource } from "./source.ts";
import { readYamlFast } from "./yaml-fast.ts";
import { fastLocator, type RangeLocator, type Span } from "./yaml-fast-positions.ts";

// Anchors and aliases stay usable, but a "billion laughs" document cannot blow up memory.
const MAX_ALIAS_COUNT = 100;

const fullParse = (text: string, lineCounter?: LineCounter) => parseDocument(text, { ...(lineCounter ? { lineCounter } : {}), prettyErrors: false, uniqueKeys: true, version: "1.2" });

/**
 * Parses YAML (or JSON, which the same parsers read); duplicate keys are errors. A file the fast
 * reader takes is parsed again with positions only when something asks where a path is written
 * (a finding): a clean hot reload never pays for them.
 */
export function parseYaml(file: string, text: string, format: "yaml" | "json"): ParsedSource & { readonly spans?: Span } {
  const fast = readYamlFast(text);
  if (fast) {
    const diagnostics = format === "json" ? strictJson(file, text) : [];
    return { value: fast.value, diagnostics, locate: lazyLocator(file, text, () => fast.spans && fastLocator(text, fast.spans)), ...(fast.spans ? { spans: fast.spans } : {}) };
  }
  const lineCounter = new LineCounter();
  const doc = fullParse(text, lineCounter);
  const position = lineIndex(text);
  const at = (offset: number): SourceLocation => ({ file, ...position(offset) });
  const locate = yamlLocator(doc, at);
  const diagnostics: Diagnostic[] = [];
  const linesWithSyntaxErrors = new Set<number>();
  for (const error of doc.errors) {
    const duplicate = error.code === "DUPLICATE_KEY";
    // The parser's first complaint on a line is the mistake; the rest are its echoes (a tab: three errors).
    const line = lineCounter.linePos(error.pos[0]).line;
    if (!duplicate && linesWithSyntaxErrors.has(line)) continue;
    if (!duplicate) linesWithSyntaxErrors.add(line);
    diagnostics.push({
      code: duplicate ? "PCL1011" : "PCL1010",
      severity: "error",
      message: duplicate ? `duplicate key ${keyText(text, error.pos[0])}` : `${format.toUpperCase()} syntax error: ${firstLine(error.message)}`,
      hint: duplicate ? "each key may appear once in a mapping; merge the two entries or rename one" : "fix the syntax at this position",
      location: at(error.pos[0]),
    });
  }
  if (format === "json" && diagnostics.length === 0) diagnostics.push(...strictJson(file, text));
  // The schema never sees a file that does not parse, so its inline-secret findings are made here:
  // they also tell the report which spans to mask in the syntax errors' code frames.
  if (diagnostics.length > 0) return { diagnostics: [...diagnostics, ...inlineSecrets(doc, at)], locate };
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), diagnostics, locate };
  } catch (error) {
    return {
      diagnostics: [{
        code: "PCL1010",
        severity: "error",
        message: `${format.toUpperCase()} cannot be read: ${firstLine(error instanceof Error ? error.message : String(error))}`,
        hint: "remove the excessive or circular aliases",
        location: at(0),
      }],
      locate,
    };
  }
}

// YAML accepts things JSON does not (comments, single quotes); a .json file must be real JSON.
function strictJson(file: string, text: string): Diagnostic[] {
  try {
    JSON.parse(text);
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    const position = /position (\d+)/.exec(message);
    const where = lineCol
      ? { line: Number(lineCol[1]), column: Number(lineCol[2]) }
      : lineColumn(text, position ? Number(position[1]) : 0);
    return [{
      code: "PCL1010",
      severity: "error",
      message: `JSON syntax error: ${firstLine(message)}`,
      hint: "a .json config must be strict JSON (no comments, double-quoted keys); use .yaml for anything else",
      location: { file, ...where },
    }];
  }
}

/** A text or number written where a secret reference goes, in whatever part of the document parsed. */
function inlineSecrets(doc: Document, at: (offset: number) => SourceLocation): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Iterative: a file that fails to parse may still nest deeper than the call stack.
  const pending: { node: unknown; path: ModelPath }[] = [{ node: doc.contents, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, path } = next;
    if (isMap(node)) {
      for (const pair of node.items) if (isScalar(pair.key)) pending.push({ node: pair.value, path: [...path, String(pair.key.value)] });
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) pending.push({ node: item, path: [...path, index] });
    } else if (isScalar(node) && node.range && (typeof node.value === "string" || typeof node.value === "number") && isSecretRefPath(path)) {
      out.push({
        code: "PCL3010",
        severity: "error",
        message: `${pathText(path)} is a secret written inline`,
        hint: INLINE_SECRET_HINT,
        path,
        location: { ...at(node.range[0]), ...endOf(at(node.range[1])) },
      });
    }
  }
  return out;
}

/** Where a path of a fully parsed document is written. */
export function fullLocator(file: string, text: string): Locate {
  const at = lineIndex(text);
  return yamlLocator(fullParse(text), (offset) => ({ file, ...at(offset) }));
}

/**
 * Positions from offsets (a fast read's spans, yaml-fast-positions.ts), and from the full parser
 * for any path those cannot place: both worked out on the first question only, and the text itself
 * made then when it is given as a function (a reread keeps the file's bytes).
 */
export function lazyLocator(file: string, text: string | (() => string), ranges: () => RangeLocator | undefined): Locate {
  let fast: RangeLocator | undefined | null;
  let full: Locate | undefined;
  let at: ((offset: number) => { line: number; column: number }) | undefined;
  const whole = typeof text === "string" ? () => text : text;
  return (path, part) => {
    if (fast === undefined) fast = ranges() ?? null;
    const range = fast?.(path, part);
    if (range === null) return undefined;
    if (!range) return (full ??= fullLocator(file, whole()))(path, part);
    at ??= lineIndex(whole());
    return { file, ...at(range.start), ...endOf({ file, ...at(range.end) }) };
  };
}

function yamlLocator(doc: Document, at: (offset: number) => SourceLocation): Locate {
  return (path: ModelPath, part?: "key" | "value") => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return undefined;
        keyNode = pair.key as Node;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
      } else {
        return undefined;
      }
    }
    const target = part === "key" && keyNode ? keyNode : (node as Node | null | undefined);
    const range = target?.range;
    if (!range) return undefined;
    return { ...at(range[0]), ...endOf(at(range[1])) };
  };
}

function endOf(location: SourceLocation): { endLine: number; endColumn: number } {
  return { endLine: location.line, endColumn: location.column };
}

function keyText(text: string, offset: number): string {
  const key = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? "";
  return key ? `'${key.replace(/^["']|["']$/g, "")}'` : "in a mapping";
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
