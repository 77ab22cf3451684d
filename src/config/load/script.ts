import type { Diagnostic } from "../diagnostics.ts";
import { locateNearest, type Locate } from "../locate.ts";
import { scriptLocator } from "./ast-locate.ts";
import { evaluateConfig } from "./evaluate.ts";
import { MAX_DEPTH, NESTING_HINT } from "./plain-data.ts";
import { lineColumn, type ParsedSource } from "./source.ts";
import { typecheckConfig } from "./typecheck.ts";

/**
 * A .ts/.mts/.mjs/.js config: type-checked (TypeScript only) while it is evaluated in its own
 * process; findings are placed on its syntax tree. Loaded on demand, so YAML and JSON configs never
 * pay for the TypeScript compiler.
 */
export async function parseScript(file: string, text: string): Promise<ParsedSource> {
  // The evaluator runs while this process parses and type-checks.
  const evaluation = evaluateConfig(file);
  let locate: Locate;
  let typeErrors: Diagnostic[];
  try {
    locate = scriptLocator(file, text);
    typeErrors = /\.m?ts$/i.test(file) ? typecheckConfig(file) : [];
  } catch (error) {
    // The TypeScript parser recurses per nesting level; thousands of levels exhaust the stack.
    if (!(error instanceof RangeError)) throw error;
    void evaluation; // it ends by itself: its findings would only repeat this one
    return { diagnostics: [tooDeepToParse(file, text)], locate: () => undefined, files: [file] };
  }
  const evaluated = await evaluation;
  const placed = evaluated.diagnostics.map((d): Diagnostic => (d.path ? { ...d, location: locateNearest(locate, file, d.path) } : d));
  return {
    ...("value" in evaluated ? { value: evaluated.value } : {}),
    diagnostics: [...typeErrors, ...placed],
    locate,
    files: evaluated.modules,
  };
}

/** Points at the first bracket nested deeper than any config needs (strings and comments are not skipped: this only places the finding). */
function tooDeepToParse(file: string, text: string): Diagnostic {
  let depth = 0;
  let offset = 0;
  for (let i = 0; i < text.length && !offset; i++) {
    const c = text[i];
    if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ")") depth--;
    if (depth > MAX_DEPTH) offset = i;
  }
  return {
    code: "PCL1024",
    severity: "error",
    message: `the config nests its code too deeply to be parsed${offset ? ` (more than ${MAX_DEPTH} levels from here)` : ""}`,
    hint: NESTING_HINT,
    location: { file, ...lineColumn(text, offset) },
  };
}
