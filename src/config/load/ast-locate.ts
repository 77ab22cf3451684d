import ts from "typescript";
import type { SourceLocation } from "../diagnostics.ts";
import type { Locate, ModelPath } from "../locate.ts";

/**
 * Maps model paths onto the syntax tree of a .ts/.js config: from the default export (or the
 * argument of `defineGateway(...)`) through object literal properties and array elements.
 * Values computed at run time (function results, spreads) locate to the nearest written node.
 */
export function scriptLocator(file: string, text: string): Locate {
  const kind = /\.[cm]?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2023, true, kind);
  const root = configExpression(source);
  const at = (node: ts.Node): SourceLocation => {
    const start = source.getLineAndCharacterOfPosition(node.getStart(source));
    const end = source.getLineAndCharacterOfPosition(node.getEnd());
    return { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  };
  return (path: ModelPath, part?: "key" | "value") => {
    let node = root && unwrap(root, source);
    let name: ts.Node | undefined;
    for (const segment of path) {
      if (!node) return undefined;
      const step = child(node, segment, source);
      if (!step) return undefined;
      name = step.name;
      node = unwrap(step.value, source);
    }
    const target = part === "key" && name ? name : node;
    return target ? at(target) : undefined;
  };
}

function configExpression(source: ts.SourceFile): ts.Expression | undefined {
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) return statement.expression;
  }
  return undefined;
}

/** Sees through the wrappers a config is commonly written in, to the literal inside. */
function unwrap(node: ts.Expression, source: ts.SourceFile, depth = 0): ts.Expression {
  if (depth > 20) return node;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    return unwrap(node.expression, source, depth + 1);
  }
  if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isIdentifier(node.expression) && node.expression.text === "defineGateway") {
    const argument = node.arguments[0];
    return argument ? unwrap(argument, source, depth + 1) : node;
  }
  if (ts.isIdentifier(node)) {
    const initializer = declaredValue(node.text, source);
    return initializer ? unwrap(initializer, source, depth + 1) : node;
  }
  return node;
}

function declaredValue(name: string, source: ts.SourceFile): ts.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}

function child(node: ts.Expression, segment: string | number, source: ts.SourceFile): { name?: ts.Node; value: ts.Expression } | undefined {
  if (ts.isArrayLiteralExpression(node) && typeof segment === "number") {
    const element = node.elements[segment];
    return element && !ts.isSpreadElement(element) ? { value: element } : undefined;
  }
  if (!ts.isObjectLiteralExpression(node)) return undefined;
  // The last property wins at run time, so search from the end.
  for (const property of [...node.properties].reverse()) {
    if (ts.isPropertyAssignment(property) && propertyName(property.name, source) === String(segment)) {
      return { name: property.name, value: property.initializer };
    }
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === String(segment)) {
      return { name: property.name, value: property.name };
    }
  }
  return undefined;
}

function propertyName(name: ts.PropertyName, source: ts.SourceFile): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression)) return name.expression.text;
  return name.getText(source);
}
