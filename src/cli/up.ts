import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AiProcessors } from "../ai/processors.ts";
import { AuditTrail } from "../audit/trail.ts";
import { MemoryCounters } from "../ratelimit/counters.ts";
import { RateLimitServices } from "../ratelimit/services.ts";
import { isLoopbackHost } from "../server/peer-address.ts";
import { DEFAULT_USAGE_DB } from "../ai/usage-store.ts";
import { compileGateway, compileGatewayFile, type CompileResult } from "../compile.ts";
import { hasErrors } from "../config/diagnostics.ts";
import type { GatewayConfig } from "../config/types.ts";
import { startDemoBackend, type DemoBackend } from "../dev/demo-backend.ts";
import { envoyVersion, findEnvoy } from "../envoy/binary.ts";
import { startEnvoyProcess } from "../envoy/process.ts";
import type { GatewayIR } from "../model/ir.ts";
import { watchConfigs } from "../server/config-watcher.ts";
import type { CompileOutcome } from "../server/gateway-registry.ts";
import { GrantExpiry } from "../server/grant-expiry.ts";
import { startControlPlane, type ControlPlane } from "../server/control-plane.ts";
import { createLogger } from "../server/log.ts";
import { adsBootstrap } from "../xds/bootstrap-ads.ts";
import { DEFAULT_ENVOY_ADMIN_PORT } from "../xds/default-ports.ts";
import { UserError } from "../errors.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";
import { parsePort } from "./net-args.ts";
import { stopSignal } from "./stop-signal.ts";
import { ensurePortsFree, freeLoopbackPort, listenerPorts, UP_DIR_PREFIX, withListenerPorts, withUpAuditReceiver } from "./up-ports.ts";
import { exampleRequests } from "./up-urls.ts";

const HELP = `Usage: portcullis up [config] [options]

The one-command local gateway: compiles the config, starts the xDS control plane and a real Envoy
connected to it (plus the demo backends the config names under dev.demoBackends), prints the URLs
to call, recompiles and pushes on every config change, and stops everything on Ctrl-C.

Options:
  --port N               serve the config's only listener on port N instead (the config is not changed)
  --listener-port NAME=N serve listener NAME on port N instead; repeat for several listeners
  --envoy-admin-port N   Envoy's admin port on 127.0.0.1 (default ${DEFAULT_ENVOY_ADMIN_PORT})
  --admin-port N         the control plane's /status, /metrics port on 127.0.0.1 (default: any free port)
  --no-watch             do not recompile when the config changes
  --quiet-access-log     do not print Envoy's access log lines
  --usage-db FILE        where the AI processor records usage (default ${DEFAULT_USAGE_DB})

Example:
  portcullis up examples/quickstart
  curl -i http://localhost:10000/v1/hello`;

function parse(args: string[]) {
  return parseCommandArgs(args, {
    port: { type: "string" },
    "listener-port": { type: "string", multiple: true },
    "envoy-admin-port": { type: "string" },
    "admin-port": { type: "string" },
    "no-watch": { type: "boolean" },
    "quiet-access-log": { type: "boolean" },
    "usage-db": { type: "string" },
  });
}

const color = process.stdout.isTTY;
const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const done = (text: string) => console.log(`${paint("32", "✓")} ${text}`);
const doing = (text: string) => console.log(`${paint("36", "•")} ${text} …`);

/** Everything `up` started, stopped in reverse order whatever went wrong. */
class Processes {
  private readonly stops: (() => Promise<unknown>)[] = [];
  add(stop: () => Promise<unknown>): void {
    this.stops.unshift(stop);
  }
  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0)) await stop().catch(() => undefined);
  }
}

/**
 * Starts the built-in demo service on the first endpoint of each provider in dev.demoBackends,
 * as resolve parsed it (a service's cluster carries its provider's name).
 */
async function startDemoBackends(config: GatewayConfig, ir: GatewayIR, processes: Processes): Promise<DemoBackend[]> {
  const backends: DemoBackend[] = [];
  for (const name of config.dev?.demoBackends ?? []) {
    const endpoint = ir.clusters.find((cluster) => cluster.name === name)?.endpoints[0];
    if (!endpoint) continue; // validation already reported it
    const backend = await startDemoBackend(name, endpoint.host, endpoint.port, config.providers?.[name]?.type === "openai-compatible" ? "openai-compatible" : "echo");
    processes.add(() => backend.close());
    backends.push(backend);
  }
  return backends;
}

/**
 * Compiles the config file, with its listeners on the ports the command line gave (`--port`,
 * `--listener-port`) and a default audit receiver on up's own port: the file's own compile first
 * (its findings are the file's), then the config with those ports, which is what Envoy gets.
 */
async function compileForUp(path: string | undefined, cwd: string, flags: { port: string | undefined; named: readonly string[]; auditPort: number }): Promise<CompileResult> {
  const compiled = await compileGatewayFile(path, { cwd });
  if (!compiled.config || !compiled.snapshot) return compiled;
  const config = withUpAuditReceiver(withListenerPorts(compiled.config, listenerPorts(compiled.config, flags.port, flags.named)), flags.auditPort);
  if (config === compiled.config) return compiled;
  const moved = compileGateway(config, compiled.locate, { file: compiled.file, reported: compiled.diagnostics });
  return { ...compiled, ...moved, config, files: compiled.files, diagnostics: moved.snapshot ? compiled.diagnostics : [...compiled.diagnostics, ...moved.diagnostics] };
}

export const upCommand: Command = {
  name: "up",
  summary: "run a local gateway: control plane + real Envoy (+ demo backends), with hot reload",
  help: HELP,
  async run(args) {
    const { values, positionals } = parse(args);
    if (positionals.length > 1) throw new UsageError("up takes one config (a file, or a directory holding gateway.config.ts or gateway.yaml)");
    const cwd = process.cwd();
    const envoyAdminPort = values["envoy-admin-port"] ? parsePort("--envoy-admin-port", values["envoy-admin-port"], 1) : DEFAULT_ENVOY_ADMIN_PORT;
    const processes = new Processes();
    const stopping = stopSignal();

    try {
      doing("compiling");
      const ports = { port: values.port, named: values["listener-port"] ?? [], auditPort: await freeLoopbackPort() };
      const first: CompileResult = await compileForUp(positionals[0], cwd, ports);
      if (first.diagnostics.length > 0) process.stderr.write(formatDiagnostics(first.diagnostics, { format: "text", cwd, color: Boolean(process.stderr.isTTY) }));
      if (!first.config || !first.snapshot || !first.ir || !first.gateway || hasErrors(first.diagnostics)) return ExitCode.findings;
      const resources = [...first.snapshot.resources.values()].reduce((sum, named) => sum + named.size, 0);
      done(`compiled ${first.file} → gateway "${first.gateway}", ${resources} Envoy resources, version ${first.snapshot.version}`);

      const envoyBinary = findEnvoy();
      const version = await envoyVersion(envoyBinary);
      await ensurePortsFree([
        { host: "127.0.0.1", port: envoyAdminPort, what: "Envoy's admin interface", fix: "choose another port with --envoy-admin-port" },
        ...first.ir.listeners.map((listener) => ({ host: listener.address, port: listener.port, what: `listener "${listener.name}"`, fix: `change the listener's port in ${first.file}, or run up with --listener-port ${listener.name}=PORT` })),
        ...(first.ir.ai?.processor.address.kind === "tcp"
          ? [{ host: first.ir.ai.processor.address.host, port: first.ir.ai.processor.address.port, what: "the AI processor", fix: `change ai.processor.address in ${first.file}` }]
          : []),
        ...(first.ir.rateLimitService && isLoopbackHost(first.ir.rateLimitService.host)
          ? [{ host: first.ir.rateLimitService.host, port: first.ir.rateLimitService.port, what: "the rate-limit service", fix: `change gateway.rateLimitService.address in ${first.file}` }]
          : []),
      ]);

      for (const backend of await startDemoBackends(first.config, first.ir, processes)) done(`demo backend "${backend.name}" on http://${backend.host}:${backend.port}`);

      const log = createLogger({ json: false, level: "warn" });
      const plane: ControlPlane = await startControlPlane({
        xdsPort: 0,
        adminPort: values["admin-port"] ? parsePort("--admin-port", values["admin-port"]) : 0,
        log,
      });
      processes.add(() => plane.close());
      const file = first.file;
      plane.configs.expect(file);
      plane.configs.apply(first);
      done(`control plane: xDS on 127.0.0.1:${plane.xdsPort}, status on http://127.0.0.1:${plane.adminPort}/status`);
      const ai = new AiProcessors({ log, usage: values["usage-db"] ?? DEFAULT_USAGE_DB });
      processes.add(() => ai.close());
      await ai.apply(first);
      for (const address of ai.addresses()) done(`AI processor on ${address}`);
      // Global rate limits are counted in memory here: one process, one count.
      const limits = new RateLimitServices(log, async () => new MemoryCounters());
      processes.add(() => limits.close());
      await limits.apply(first);
      for (const address of limits.addresses()) done(`rate-limit service on ${address}`);
      const audit = new AuditTrail(log, plane);
      processes.add(() => audit.close());
      await audit.apply(first);
      for (const address of audit.addresses()) done(`audit receiver on ${address} (portcullis audit reads it)`);
      const fail = (error: Error) => console.error(`${paint("31", "✗")} ${error.message}`);
      // Every later compile (an edit, or a grant's expiry) says what it did and goes everywhere the first one went.
      const recompile = async (path: string | undefined) => {
        const outcome = await compileForUp(path, cwd, ports);
        if (outcome.diagnostics.length > 0) process.stderr.write(formatDiagnostics(outcome.diagnostics, { format: "text", cwd, color: Boolean(process.stderr.isTTY) }));
        if (outcome.snapshot) done(`recompiled: version ${outcome.snapshot.version} pushed to Envoy`);
        else console.log(`${paint("31", "✗")} the config has errors; Envoy keeps the last good config`);
        return outcome;
      };
      const apply = (outcome: CompileOutcome) => {
        plane.configs.apply(outcome);
        grants.track(outcome);
        ai.apply(outcome).catch(fail);
        limits.apply(outcome).catch(fail);
        audit.apply(outcome).catch(fail);
      };
      // Access grants stop working at their expiry instant, as under serve: the config is recompiled then.
      const grants = new GrantExpiry(recompile, apply, log);
      processes.add(async () => grants.close());
      grants.track(first);

      const dir = await mkdtemp(join(tmpdir(), UP_DIR_PREFIX));
      processes.add(() => rm(dir, { recursive: true, force: true }));
      const bootstrapPath = join(dir, "envoy.json");
      const nodeId = `up-${process.pid}`;
      // Delta xDS: a route edit then sends Envoy only its route scope (src/xds/route-scopes.ts).
      const bootstrap = adsBootstrap({ nodeId, cluster: first.gateway, xdsPort: plane.xdsPort, adminPort: envoyAdminPort, delta: true });
      await writeFile(bootstrapPath, JSON.stringify(bootstrap, null, 2));

      doing(`starting Envoy ${version}`);
      let envoyLog = "";
      let shuttingDown = false;
      const envoy = startEnvoyProcess({
        binary: envoyBinary,
        configPath: bootstrapPath,
        adminPort: envoyAdminPort,
        onOutput: (chunk, stream) => {
          if (stream === "stdout" && !values["quiet-access-log"]) process.stdout.write(chunk.replace(/^(?=.)/gm, paint("2", "access │ ")));
          // Envoy's own notes about being stopped (signal caught, xDS stream closed) are noise here.
          if (stream === "stderr" && !shuttingDown) {
            envoyLog += chunk;
            process.stderr.write(chunk.replace(/^(?=.)/gm, paint("33", "envoy  │ ")));
          }
        },
      });
      processes.add(() => envoy.stop());
      if (!envoy.diesWithParent) console.warn(`${paint("33", "!")} setpriv (util-linux) was not found: if up is killed with SIGKILL, Envoy (pid ${envoy.pid}) keeps running`);
      try {
        // LIVE comes once Envoy's initial xDS fetch is applied, so the listeners are bound.
        await envoy.ready(30_000);
      } catch (error) {
        console.error(`Envoy did not come up: ${(error as Error).message}${envoyLog ? "" : " (it printed nothing)"}`);
        return ExitCode.usage;
      }
      // Envoy is LIVE even when it NACKed a listener (e.g. its port is taken): say so and stop.
      const rejected = plane.nodes.get(nodeId)?.lastNack;
      if (rejected) {
        const portTaken = /cannot bind .*in use/i.test(rejected.message);
        throw new UserError(
          `Envoy rejected the ${rejected.type} config: ${rejected.message}${portTaken ? `\n  fix: free that port, or change the listener's port in ${first.file}` : ""}`,
        );
      }
      done(`Envoy ${version} is serving (pid ${envoy.pid}, admin http://127.0.0.1:${envoyAdminPort})`);

      const watcher = values["no-watch"]
        ? undefined
        : watchConfigs({
            initial: [first],
            compile: recompile,
            apply,
            log,
          });
      if (watcher) processes.add(async () => watcher.close());

      console.log(`\n${paint("1", "Portcullis is up.")} Try:\n`);
      for (const { curl, route } of exampleRequests(first.ir)) {
        console.log(`  ${curl}   ${paint("2", route.unversioned ? `${route.api} (unversioned)` : `${route.api} ${route.version} (${route.lifecycle.state})`)}`);
      }
      console.log(`\n${watcher ? `Watching ${first.file} for changes. ` : ""}Press Ctrl-C to stop.\n`);

      const signalled = stopping.then(() => {
        shuttingDown = true;
        return "signal" as const;
      });
      const outcome = await Promise.race([signalled, envoy.exited.then(() => "envoy-exited" as const)]);
      if (outcome === "envoy-exited") {
        console.error("Envoy exited unexpectedly; stopping.");
        return ExitCode.usage;
      }
      console.log("\nstopping …");
      return ExitCode.ok;
    } finally {
      await processes.stopAll();
    }
  },
};
