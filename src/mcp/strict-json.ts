/**
 * A JSON parser that refuses what parsers disagree on, so the MCP processor reads a request the
 * way every server does or not at all: duplicate keys (JSON.parse keeps the last, others the
 * first; keys compare after unescaping, so `"na\u006de"` duplicates `"name"`), nesting deeper
 * than a server would expect, and anything after the value. Values are JSON.parse's own.
 */

export class StrictJsonError extends Error {}

const MAX_DEPTH = 64;
/** Where a string ends; JSON.parse then decodes it (and refuses control characters and bad escapes). */
const STRING = /"(?:[^"\\]|\\.)*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const LITERALS = [
  ["true", true],
  ["false", false],
  ["null", null],
] as const;

export function parseStrictJson(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new StrictJsonError(`${what} at offset ${at}`);
  };
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(text);
    at = WHITESPACE.lastIndex;
  };
  const token = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return undefined;
    at = pattern.lastIndex;
    return match[0];
  };
  const string = (): string => {
    const raw = token(STRING) ?? fail("expected a string");
    try {
      return JSON.parse(raw) as string;
    } catch {
      return fail("invalid string");
    }
  };

  function object(depth: number): Record<string, unknown> {
    at++; // {
    // Own properties only, whatever the key (`__proto__` included): defineProperty never reaches the prototype.
    const result: Record<string, unknown> = {};
    skipWhitespace();
    if (text[at] === "}") {
      at++;
      return result;
    }
    for (;;) {
      skipWhitespace();
      const key = string();
      if (Object.hasOwn(result, key)) fail(`duplicate key ${JSON.stringify(key)}`);
      skipWhitespace();
      if (text[at] !== ":") fail("expected ':'");
      at++;
      Object.defineProperty(result, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
      skipWhitespace();
      const next = text[at++];
      if (next === "}") return result;
      if (next !== ",") fail("expected ',' or '}'");
    }
  }

  function array(depth: number): unknown[] {
    at++; // [
    const result: unknown[] = [];
    skipWhitespace();
    if (text[at] === "]") {
      at++;
      return result;
    }
    for (;;) {
      result.push(value(depth + 1));
      skipWhitespace();
      const next = text[at++];
      if (next === "]") return result;
      if (next !== ",") fail("expected ',' or ']'");
    }
  }

  function value(depth: number): unknown {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWhitespace();
    const c = text[at];
    if (c === "{") return object(depth);
    if (c === "[") return array(depth);
    if (c === '"') return string();
    for (const [word, literal] of LITERALS) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return literal;
      }
    }
    const number = token(NUMBER);
    return number === undefined ? fail("expected a JSON value") : Number(number);
  }

  const result = value(0);
  skipWhitespace();
  if (at !== text.length) fail("unexpected text after the JSON value");
  return result;
}
