import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// A user's config imports "portcullis". In a source checkout that is this repo's src/index.ts;
// in the installed package it is dist/src/index.js with its .d.ts beside it.
const fromSource = import.meta.url.endsWith(".ts");

/** The module a config's `import ... from "portcullis"` runs. */
export const PACKAGE_ENTRY_URL = new URL(fromSource ? "../../index.ts" : "../../index.js", import.meta.url);

/** The file the type checker reads for "portcullis". */
export const PACKAGE_TYPES_FILE = fileURLToPath(new URL(fromSource ? "../../index.ts" : "../../index.d.ts", import.meta.url));

/** Portcullis's own sources: type errors in them are not the user's to fix. */
export const PACKAGE_SOURCE_DIR = dirname(PACKAGE_TYPES_FILE);
