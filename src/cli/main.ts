import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";
import { ExitCode, UsageError, type Command } from "./command.ts";

// One entry per command file; each command parses its own options.
const commands: Record<string, () => Promise<Command>> = {
  compile: async () => (await import("./compile.ts")).compileCommand,
  validate: async () => (await import("./validate.ts")).validateCommand,
  diff: async () => (await import("./diff.ts")).diffCommand,
  explain: async () => (await import("./explain.ts")).explainCommand,
  catalog: async () => (await import("./catalog.ts")).catalogCommand,
  init: async () => (await import("./init.ts")).initCommand,
  bootstrap: async () => (await import("./bootstrap.ts")).bootstrapCommand,
  serve: async () => (await import("./serve.ts")).serveCommand,
  up: async () => (await import("./up.ts")).upCommand,
  "setup-envoy": async () => (await import("./setup-envoy.ts")).setupEnvoyCommand,
  "dev-certs": async () => (await import("./dev-certs.ts")).devCertsCommand,
  processor: async () => (await import("./processor.ts")).processorCommand,
  usage: async () => (await import("./usage.ts")).usageCommand,
  "ratelimit-service": async () => (await import("./ratelimit-service.ts")).rateLimitServiceCommand,
  audit: async () => (await import("./audit.ts")).auditCommand,
  "audit-receiver": async () => (await import("./audit-receiver.ts")).auditReceiverCommand,
};

const GLOBAL_HELP = (names: string) => `portcullis — compile a gateway config to Envoy and serve it over xDS

Usage: portcullis <command> [options]

Commands:
${names}

Exit codes:
  0  clean
  1  the config has findings (or generated output is stale with --check)
  2  usage error or internal error

Run 'portcullis <command> --help' for a command's options.`;

async function commandList(): Promise<string> {
  const lines: string[] = [];
  for (const load of Object.values(commands)) {
    const command = await load();
    lines.push(`  ${command.name.padEnd(12)} ${command.summary}`);
  }
  return lines.join("\n");
}

/** The nearest package.json above this file: src/cli in a checkout, dist/src/cli when installed. */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(GLOBAL_HELP(await commandList()));
    return name ? ExitCode.ok : ExitCode.usage;
  }
  if (name === "--version") {
    console.log(packageVersion());
    return ExitCode.ok;
  }
  const load = commands[name];
  if (!load) {
    console.error(`portcullis: unknown command '${name}'. Run 'portcullis --help' for the list.`);
    return ExitCode.usage;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`portcullis ${name}: ${error.message}\n\n${command.help}`);
      return ExitCode.usage;
    }
    if (error instanceof UserError) {
      console.error(`portcullis ${name}: ${error.message}`);
      return ExitCode.usage;
    }
    // Not the user's fault: say so, and keep the stack for the bug report.
    console.error(`portcullis ${name}: internal error — this is a bug in Portcullis, please report it.`);
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return ExitCode.usage;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
