import { existsSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import ts from "typescript";
import type { Diagnostic } from "../diagnostics.ts";
import { PACKAGE_SOURCE_DIR, PACKAGE_TYPES_FILE } from "./package-entry.ts";

let previous: ts.Program | undefined;

/**
 * Type-checks a TypeScript config against Portcullis's own types. The options match what Node
 * can run after stripping types: ESM, `import type` for types, no enums or namespaces.
 */
export function typecheckConfig(file: string): Diagnostic[] {
  // Reusing the previous program keeps the unchanged lib and Portcullis files parsed (serve --watch, tests).
  const program = ts.createProgram({ rootNames: [file], options: compilerOptions(), ...(previous ? { oldProgram: previous } : {}) });
  previous = program;
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || isUserFile(d.file.fileName));
  return diagnostics.map((d) => toDiagnostic(d, file));
}

function compilerOptions(): ts.CompilerOptions {
  const nodeTypes = nodeTypesRoot();
  return {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    lib: ["lib.es2023.d.ts"],
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    resolveJsonModule: true,
    paths: { portcullis: [PACKAGE_TYPES_FILE] },
    types: nodeTypes ? ["node"] : [],
    ...(nodeTypes ? { typeRoots: [nodeTypes] } : {}),
  };
}

// Lets configs use `process` and node: imports when @types/node ships with this installation.
function nodeTypesRoot(): string | undefined {
  let dir = PACKAGE_SOURCE_DIR;
  for (;;) {
    const candidate = join(dir, "node_modules", "@types");
    if (existsSync(join(candidate, "node"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isUserFile(fileName: string): boolean {
  const path = resolve(fileName);
  return !path.startsWith(PACKAGE_SOURCE_DIR + sep) && !path.includes(`${sep}node_modules${sep}`);
}

function toDiagnostic(d: ts.Diagnostic, configFile: string): Diagnostic {
  const [first = "", ...rest] = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n");
  const position = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
  const end = d.file && d.start !== undefined && d.length !== undefined ? d.file.getLineAndCharacterOfPosition(d.start + d.length) : undefined;
  return {
    code: "PCL1020",
    severity: d.category === ts.DiagnosticCategory.Warning ? "warning" : "error",
    message: `${first} (TS${d.code})`,
    ...(rest.length > 0 ? { hint: rest.map((line) => line.trim()).join(" ") } : {}),
    location: {
      file: d.file ? resolve(d.file.fileName) : configFile,
      line: (position?.line ?? 0) + 1,
      column: (position?.character ?? 0) + 1,
      ...(end ? { endLine: end.line + 1, endColumn: end.character + 1 } : {}),
    },
  };
}
