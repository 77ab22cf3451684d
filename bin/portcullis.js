#!/usr/bin/env node
// In a source checkout the CLI runs straight from TypeScript (Node >= 22.18 strips types);
// an installed package carries only the compiled JavaScript in dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const entry = existsSync(source) ? source : new URL("../dist/src/cli/main.js", import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
