#!/usr/bin/env node
// Builds what the npm package ships in dist/: the compiled JavaScript and .d.ts of src/ (with the
// doc comments editors show), and the generated Envoy API beside it. dist/ is made anew, so a file
// deleted from src/ never lingers in a package. `npm pack`, `npm publish` and installs from git run
// this through the `prepare` script.
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "dist");

rmSync(dist, { recursive: true, force: true });
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
try {
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
} catch {
  // tsc printed the errors; a package built from code that does not type-check is not shipped.
  console.error("✗ build failed: the TypeScript errors above must be fixed first");
  process.exit(1);
}
cpSync(join(root, "generated"), join(dist, "generated"), { recursive: true });
