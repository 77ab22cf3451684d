#!/usr/bin/env node
// In a source checkout the CLI runs straight from TypeScript, which needs a Node that strips types
// (>= 22.18). When this Node cannot, the project's own Node 24 (installed by `npm run setup`) runs
// it instead. An installed package carries only the compiled JavaScript in dist/.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli/main.ts", import.meta.url);
const projectNode = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
const stripsTypes = Boolean(process.features.typescript);

if (existsSync(source) && !stripsTypes) {
  if (!existsSync(projectNode)) {
    console.error(`portcullis: this source checkout needs Node >= 22.18 (this is ${process.version}); run \`npm run setup\`, which installs Node 24 into node_modules.`);
    process.exit(2);
  }
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  // Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to us is passed on.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const entry = existsSync(source) ? source : new URL("../dist/src/cli/main.js", import.meta.url);
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
