import { AiProcessors } from "../ai/processors.ts";
import { DEFAULT_USAGE_DB } from "../ai/usage-store.ts";
import { compileGatewayFile } from "../compile.ts";
import { CONFIG_FILE_NAMES, discoverConfig } from "../config/discover.ts";
import { hasErrors } from "../config/diagnostics.ts";
import { UserError } from "../errors.ts";
import { watchConfigs } from "../server/config-watcher.ts";
import { createLogger } from "../server/log.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";
import { stopSignal } from "./stop-signal.ts";

const HELP = `Usage: portcullis processor [config ...] [options]

Runs only the AI processor, the ext_proc service Envoy calls for the routes of a config's \`ai\`
section (and its MCP endpoints), on the loopback address the config names (ai.processor.address, default 127.0.0.1:18001).
For fleets: run one beside each Envoy, with the provider keys in its environment or files, while
\`portcullis serve\` runs the control plane elsewhere. (serve and up run a processor themselves.)

Options:
  --watch           recompile on every config change; a broken edit keeps the last good config
  --usage-db FILE   where usage is recorded (default ${DEFAULT_USAGE_DB})
  --log-format F    json or text (default: json unless stdout is a terminal)

Example:
  OPENAI_API_KEY=... portcullis processor gateway.config.ts --watch`;

export const processorCommand: Command = {
  name: "processor",
  summary: "run only the AI processor (Envoy's ext_proc service) for fleets",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      watch: { type: "boolean" },
      "usage-db": { type: "string" },
      "log-format": { type: "string" },
    });
    const logFormat = values["log-format"];
    if (logFormat !== undefined && logFormat !== "json" && logFormat !== "text") throw new UsageError(`--log-format must be json or text, got "${logFormat}"`);
    const log = createLogger(logFormat ? { json: logFormat === "json" } : {});
    const files = (positionals.length > 0 ? positionals : [undefined]).map((path) => {
      const { file, found } = discoverConfig(path, process.cwd());
      if (!found) throw new UserError(`no gateway config at ${file}; name a config file, or a directory holding one of ${CONFIG_FILE_NAMES.join(", ")}`);
      return file;
    });
    const initial = [];
    for (const file of files) {
      const outcome = await compileGatewayFile(file);
      if (outcome.diagnostics.length > 0) process.stderr.write(formatDiagnostics(outcome.diagnostics, { format: "text", cwd: process.cwd(), color: Boolean(process.stderr.isTTY) }));
      if (hasErrors(outcome.diagnostics)) return ExitCode.findings;
      if (!outcome.ir?.ai && !outcome.ir?.mcp) throw new UserError(`${file} has neither an ai nor an mcp section, so there is nothing for the processor to serve`);
      initial.push(outcome);
    }
    const ai = new AiProcessors({ log, usage: values["usage-db"] ?? DEFAULT_USAGE_DB });
    try {
      for (const outcome of initial) await ai.apply(outcome);
    } catch (error) {
      await ai.close();
      throw error;
    }
    const apply = (outcome: { file: string }) => void ai.apply(outcome).catch((error: Error) => log.error("the AI processor cannot start", { error: error.message }));
    const watcher = values.watch ? watchConfigs({ initial, compile: (file) => compileGatewayFile(file), apply, log }) : undefined;
    log.info("AI processor ready", { addresses: ai.addresses(), gateways: ai.gateways.names(), watch: Boolean(values.watch) });
    const signal = await stopSignal();
    log.info("shutting down", { signal });
    watcher?.close();
    await ai.close();
    return ExitCode.ok;
  },
};
