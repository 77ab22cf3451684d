/**
 * The fast way to read a YAML (or JSON) config: js-yaml, about ten times quicker than the `yaml`
 * parser with positions, so a hot reload of a large file is not spent parsing. It reads plain
 * scalars exactly as the `yaml` parser's YAML 1.2 core schema does (the same patterns, below), and
 * it gives up — leaving the file to the full parser, which reports with positions — on anything
 * where the two could differ or where the full parser has a finding to make: a syntax error, a
 * duplicate key, a tag, an anchor or alias (whose expansion the full parser bounds), more than
 * one document. The same read records where each node is written (yaml-fast-positions.ts), for the
 * findings to be placed. test/config/yaml-fast.test.ts holds the two readers equal on every config
 * here.
 */
import { FAILSAFE_SCHEMA, load, Type } from "js-yaml";
import { type Span, SpanRecorder } from "./yaml-fast-positions.ts";

/**
 * One implicit type for several of the core schema's patterns (js-yaml keeps one type per tag), the
 * first matching pattern deciding. js-yaml tries every implicit type on every plain scalar, so a
 * scalar whose first character none of the patterns allows is turned away before any pattern runs.
 */
function scalar(tag: string, firsts: string, patterns: readonly (readonly [RegExp, (text: string) => unknown])[]) {
  let last: { text: string; construct: (text: string) => unknown } | undefined;
  const matching = (text: string) => {
    if (last?.text === text) return last.construct;
    if (text !== "" && !firsts.includes(text[0]!)) return undefined;
    const construct = patterns.find(([test]) => test.test(text))?.[1];
    if (construct) last = { text, construct };
    return construct;
  };
  return new Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (text: string | null) => matching(text ?? "") !== undefined, construct: (text: string | null) => matching(text ?? "")!(text ?? "") });
}

const NUMBER_FIRSTS = "-+.0123456789";

/** The `yaml` package's core schema (schema/core), pattern for pattern, in its order. */
export const CORE_1_2 = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", "~nN", [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar("bool", "tTfF", [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === "t" || text[0] === "T"]]),
    scalar("int", NUMBER_FIRSTS, [
      [/^0o[0-7]+$/, (text) => parseInt(text.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (text) => parseInt(text, 10)],
      [/^0x[0-9a-fA-F]+$/, (text) => parseInt(text.substring(2), 16)],
    ]),
    scalar("float", NUMBER_FIRSTS, [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (text) => (text.slice(-3).toLowerCase() === "nan" ? Number.NaN : text[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (text) => parseFloat(text)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (text) => parseFloat(text)],
    ]),
  ],
});

/**
 * Anything that may be an anchor, alias, tag or directive, or a second document: the full parser
 * reads those. A false alarm (`"&"` in a quoted string) only costs the fast path.
 */
const NEEDS_FULL_PARSER = /(^|[\s[{,:-])[&*!]|^%|^---[^\n]*\n[\s\S]*^(---|\.\.\.)/m;

/** The value the file holds and where its nodes are written, or undefined when the full parser must read it. */
export function readYamlFast(text: string): { readonly value: unknown; readonly spans: Span | undefined } | undefined {
  if (NEEDS_FULL_PARSER.test(text)) return undefined;
  const spans = new SpanRecorder();
  try {
    // Duplicate keys throw (json: false), and so does every syntax error: the full parser then reports them.
    const value = load(text, { schema: CORE_1_2, json: false, listener: spans.listener }) ?? null;
    return { value, spans: spans.root() };
  } catch {
    return undefined;
  }
}
