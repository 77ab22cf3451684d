import { auditGateway } from "../audit/gateway.ts";
import { startAuditReceiver } from "../audit/receiver.ts";
import { auditedConfig } from "../audit/settings.ts";
import { AuditStore } from "../audit/store.ts";
import { isLoopbackHost } from "../server/peer-address.ts";
import { createLogger } from "../server/log.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";
import { parsePort } from "./net-args.ts";
import { stopSignal } from "./stop-signal.ts";

const HELP = `Usage: portcullis audit-receiver [config] [options]

Runs only the access-log receiver (envoy.service.accesslog.v3) that fills the audit store, for a
fleet whose Envoys send their access logs to one place: name its address in audit.receiver.
(serve and up run one themselves when audit.receiver is a loopback address.) The config says the
store, its retention, the identity header names and audit.redactHeaders; its secrets are not read.

Options:
  --host ADDR       address to listen on (default: audit.receiver's host); the receiver is
                    plaintext gRPC, so listen beyond loopback only on a network only Envoys reach
  --port N          gRPC port (default: audit.receiver's port)
  --store FILE      the audit database (default: the config's audit.store)
  --log-format F    json or text (default: json unless stdout is a terminal)

Example:
  portcullis audit-receiver gateway.config.ts --host 10.0.0.7`;

export const auditReceiverCommand: Command = {
  name: "audit-receiver",
  summary: "run only the access-log receiver that fills the audit store, for fleets",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      host: { type: "string" },
      port: { type: "string" },
      store: { type: "string" },
      "log-format": { type: "string" },
    });
    if (positionals.length > 1) throw new UsageError(`audit-receiver takes one config, got ${positionals.length}`);
    const logFormat = values["log-format"];
    if (logFormat !== undefined && logFormat !== "json" && logFormat !== "text") throw new UsageError(`--log-format must be json or text, got "${logFormat}"`);
    const log = createLogger(logFormat ? { json: logFormat === "json" } : {});
    const config = await auditedConfig(positionals[0], (diagnostics) => process.stderr.write(formatDiagnostics(diagnostics, { format: "text", cwd: process.cwd(), color: Boolean(process.stderr.isTTY) })));
    const host = values.host ?? config.store.receiver.host;
    const port = values.port ? parsePort("--port", values.port) : config.store.receiver.port;
    if (!isLoopbackHost(host)) log.warn("the audit receiver listens beyond loopback in plaintext: only Envoys should be able to reach it", { host });
    const file = values.store ?? config.store.file;
    const store = new AuditStore(file, { retentionMs: config.store.retentionMs, onError: (error) => log.error("cannot write the audit store", { file, error: error.message }) });
    const served = { store, gateway: auditGateway(config.ir) };
    const receiver = await startAuditReceiver({ host, port, gateway: (name) => (name === config.ir.name ? served : undefined), log }).catch((error: unknown) => {
      store.close();
      throw error;
    });
    log.info("audit receiver ready", { address: receiver.address, gateway: config.ir.name, store: file });
    const signal = await stopSignal();
    log.info("shutting down", { signal, ...receiver.stats() });
    await receiver.close();
    store.close();
    return ExitCode.ok;
  },
};
