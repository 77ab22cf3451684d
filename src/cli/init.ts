import { existsSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { stringify } from "yaml";
import type { GatewayConfig } from "../config/types.ts";
import { discoverConfig } from "../config/discover.ts";
import { loadConfig } from "../config/load.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { compileOutput, defaultOutputDir } from "./compile-output.ts";

const HELP = `Usage: portcullis init [--yaml] [--dir DIR]

Writes a starter gateway config that passes 'portcullis compile --check': gateway.config.ts
(typed, with editor completion), or gateway.yaml with --yaml. Never overwrites a file.

Options:
  --yaml       write gateway.yaml (with a yaml-language-server $schema line) instead
  --dir DIR    directory to write into (default: the working directory)

Exit codes: 0 written, 1 the file already exists, 2 usage error.`;

/** The starter gateway: one listener, one local backend, one public API. */
const STARTER: GatewayConfig = {
  gateway: {
    name: "my-gateway",
    // Both names a local client sends as Host: the listener answers 404 for any host it does not list.
    listeners: [{ name: "local", address: "127.0.0.1", port: 8080, hostnames: ["localhost", "127.0.0.1"] }],
  },
  providers: {
    hello: {
      type: "service",
      endpoints: ["127.0.0.1:3000"],
      plaintext: { reason: "local development backend on the loopback interface" },
    },
  },
  // `portcullis up` answers for this provider with a built-in echo service until a real one runs.
  dev: { demoBackends: ["hello"] },
  apis: [
    {
      name: "hello",
      owner: "my-team",
      description: "Says hello: the starter API, to replace with your own.",
      basePath: "/hello",
      versions: {
        v1: {
          state: "published",
          access: { public: { reason: "starter API; replace with allow rules before going live" } },
          routes: [{ name: "greet", match: { path: "/", methods: ["GET"] }, provider: "hello" }],
        },
      },
    },
  ],
};

export const initCommand: Command = {
  name: "init",
  summary: "write a starter gateway.config.ts (or gateway.yaml)",
  help: HELP,
  async run(args) {
    const { yaml, dir } = parseInitArgs(args);
    const directory = resolve(process.cwd(), dir);
    const file = join(directory, yaml ? "gateway.yaml" : "gateway.config.ts");
    if (existsSync(directory) && !statSync(directory).isDirectory()) throw new UsageError(`--dir ${dir} is a file, not a directory`);
    // Any existing config (not only one of the same name) or generated output is someone's work.
    const existing = discoverConfig(directory, directory);
    if (existing.found || existsSync(defaultOutputDir(file))) {
      console.error(`portcullis init: ${existing.found ? existing.file : defaultOutputDir(file)} already exists; init starts new projects and never overwrites one.`);
      return ExitCode.findings;
    }
    await mkdir(directory, { recursive: true });
    const installed = installedPackage(directory);
    await writeFile(file, yaml ? yamlStarter(directory, installed) : typescriptStarter(), { flag: "wx" });
    // Compile once, so the new project passes `compile --check` (what its CI runs) from the start.
    const loaded = await loadConfig(file);
    if (!loaded.config) throw new Error(`the starter config does not pass its own check: ${JSON.stringify(loaded.diagnostics)}`);
    const compiled = compileOutput(loaded, { check: false, out: undefined, cwd: process.cwd() });
    const shown = relative(process.cwd(), file);
    const name = shown.startsWith("..") ? file : shown;
    console.log(`wrote ${name} and its compiled Envoy config\n${compiled.report}`);
    if (!installed) console.log(`Editors find Portcullis's types and schema once this project installs it: npm install --save-dev <the portcullis tarball or git URL>`);
    console.log(`Next: edit ${name}, run 'portcullis compile', commit both; CI runs 'portcullis compile --check'.\nTry it locally with: portcullis up ${name}`);
    return ExitCode.ok;
  },
};

function parseInitArgs(args: string[]): { yaml: boolean; dir: string } {
  const { values, positionals } = parseCommandArgs(args, { yaml: { type: "boolean", default: false }, dir: { type: "string", default: "." } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; use --dir to choose where the file goes`);
  return { yaml: values.yaml, dir: values.dir };
}

/** Where a project's own install of Portcullis keeps the schema, relative to the project root. */
const INSTALLED_SCHEMA = join("node_modules", "portcullis", "schema", "gateway.schema.json");

/** The nearest node_modules/portcullis at or above the new config's directory, as npm would resolve it. */
function installedPackage(directory: string): string | undefined {
  for (let dir = directory; ; dir = dirname(dir)) {
    if (existsSync(join(dir, INSTALLED_SCHEMA))) return join(dir, INSTALLED_SCHEMA);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The schema reference the YAML starter carries: the project's own installed package, relative to
 * the config, so it holds for every teammate and CI run; never the path of whichever Portcullis ran
 * init (a checkout, a global install, npx's cache). Not installed yet: where `npm install` puts it.
 */
function schemaReference(directory: string, installed: string | undefined): string {
  const path = relative(directory, installed ?? join(directory, INSTALLED_SCHEMA)).split(sep).join("/");
  return path.startsWith("../") ? path : `./${path}`;
}

function yamlStarter(directory: string, installed: string | undefined): string {
  return `# yaml-language-server: $schema=${schemaReference(directory, installed)}\n\n${stringify(STARTER, { lineWidth: 0 })}`;
}

function typescriptStarter(): string {
  // JSON with identifier keys unquoted reads as an ordinary TypeScript object literal.
  const literal = JSON.stringify(STARTER, null, 2).replace(/^(\s*)"([A-Za-z_$][\w$]*)":/gm, "$1$2:");
  return `import { defineGateway } from "portcullis";\n\nexport default defineGateway(${literal});\n`;
}
