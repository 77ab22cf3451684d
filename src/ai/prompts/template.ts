/**
 * Prompt templates: `{{field}}` placeholders (spaces inside the braces allowed), filled in one pass
 * from the request body's top-level fields. The filled text is never read again for placeholders,
 * so a caller who sends `{{secret}}` as a value gets those characters sent, not another field.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** The distinct field names a template's placeholders name, in order of first use. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/** How a value reads in the prompt: strings as written, anything else as JSON, absent as nothing. */
function text(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The template with each placeholder replaced by its field's value. */
export function fill(template: string, fields: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => text(Object.hasOwn(fields, name) ? fields[name] : undefined));
}
