/**
 * The fast way to read a YAML (or JSON) config: js-yaml, about ten times quicker than the `yaml`
 * parser with positions, so a hot reload of a large file is not spent parsing. It reads plain
 * scalars exactly as the `yaml` parser's YAML 1.2 core schema does (the same patterns, below), and
 * it gives up — leaving the file to the full parser, which reports with positions — on anything
 * where the two could differ or where the full parser has a finding to make: a syntax error, a
 * duplicate key, a tag, an anchor or alias (whose expansion the full parser bounds), more than
 * one document. test/config/yaml-fast.test.ts holds the two readers equal on every config here.
 */
import { FAILSAFE_SCHEMA, load, Type } from "js-yaml";

/** One implicit type for several of the core schema's patterns (js-yaml keeps one type per tag), the first matching pattern deciding. */
function scalar(tag: string, patterns: readonly (readonly [RegExp, (text: string) => unknown])[]) {
  const matching = (text: string | null) => patterns.find(([test]) => test.test(text ?? ""));
  return new Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (text: string | null) => matching(text) !== undefined, construct: (text: string | null) => matching(text)![1](text ?? "") });
}

/** The `yaml` package's core schema (schema/core), pattern for pattern, in its order. */
const CORE_1_2 = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar("bool", [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === "t" || text[0] === "T"]]),
    scalar("int", [
      [/^0o[0-7]+$/, (text) => parseInt(text.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (text) => parseInt(text, 10)],
      [/^0x[0-9a-fA-F]+$/, (text) => parseInt(text.substring(2), 16)],
    ]),
    scalar("float", [
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

/** The value the file holds, or undefined when the full parser must read it. */
export function readYamlFast(text: string): { readonly value: unknown } | undefined {
  if (NEEDS_FULL_PARSER.test(text)) return undefined;
  try {
    // Duplicate keys throw (json: false), and so does every syntax error: the full parser then reports them.
    return { value: load(text, { schema: CORE_1_2, json: false }) ?? null };
  } catch {
    return undefined;
  }
}
