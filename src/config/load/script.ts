import { scriptLocator } from "./ast-locate.ts";
import { evaluateConfig } from "./evaluate.ts";
import type { ParsedSource } from "./source.ts";
import { typecheckConfig } from "./typecheck.ts";

/**
 * A .ts/.mts/.mjs/.js config: type-checked (TypeScript only), then evaluated; findings are placed
 * on its syntax tree. Loaded on demand, so YAML and JSON configs never pay for the TypeScript compiler.
 */
export async function parseScript(file: string, text: string): Promise<ParsedSource> {
  const locate = scriptLocator(file, text);
  const typeErrors = /\.m?ts$/i.test(file) ? typecheckConfig(file) : [];
  const evaluated = await evaluateConfig(file);
  return { ...("value" in evaluated ? { value: evaluated.value } : {}), diagnostics: [...typeErrors, ...evaluated.diagnostics], locate };
}
