/** The README's tables, made from the built-in packs and the view schema (see docs.test.ts). */
import { builtInRules } from "../../src/policy/packs.ts";
import { SUBJECTS, typeName, VIEW_OBJECTS } from "../../src/policy/view-schema.ts";

export function ruleTable(): string {
  const rows = builtInRules().map((rule) => `| ${rule.id} | ${rule.severity} | ${rule.subject} | ${rule.title} |`);
  return ["| id | severity | for | what it finds |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function viewReference(): string {
  const kinds = new Map(Object.entries(SUBJECTS).map(([kind, object]) => [object as string, kind]));
  return Object.entries(VIEW_OBJECTS)
    .map(([name, object]) => {
      const rows = Object.entries(object.fields).map(([field, spec]) => `| \`${field}\` | ${typeName(spec.type)}${spec.optional ? " (optional)" : ""} | ${spec.doc} |`);
      const heading = kinds.has(name) ? `### ${name} (\`for: ${kinds.get(name)}\`)` : `### ${name}`;
      return [heading, "", object.doc, "", "| field | type | meaning |", "| --- | --- | --- |", ...rows].join("\n");
    })
    .join("\n\n");
}
