import { setFlagsFromString } from "node:v8";
import { AuditTrail } from "../audit/trail.ts";
import { DEFAULT_USAGE_DB } from "../ai/usage-store.ts";
import { type CompileResult, compileGatewayFile } from "../compile.ts";
import { CONFIG_FILE_NAMES, discoverConfig } from "../config/discover.ts";
import { UserError } from "../errors.ts";
import { watchConfigs } from "../server/config-watcher.ts";
import type { CompileOutcome } from "../server/gateway-registry.ts";
import { startControlPlane } from "../server/control-plane.ts";
import { isLoopbackHost } from "../server/peer-address.ts";
import { parseAllowList } from "../server/peer-identity.ts";
import { GrantExpiry } from "../server/grant-expiry.ts";
import { createLogger } from "../server/log.ts";
import { DEFAULT_XDS_PORT } from "../xds/default-ports.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { OnDemand } from "./on-demand.ts";
import { parsePort } from "./net-args.ts";
import { redisUrlFlag } from "./redis-url.ts";
import { stopSignal } from "./stop-signal.ts";

const DEFAULT_ADMIN_PORT = 19000;

const HELP = `Usage: portcullis serve [config ...] [options]

Compiles the gateway config(s) and serves them to Envoy over xDS (ADS, state-of-the-world and
delta). Each Envoy gets the gateway whose name equals its node.cluster. Without a config, the one
in the current directory (gateway.config.ts or gateway.yaml) is served.

Options:
  --xds-port N          xDS gRPC port (default ${DEFAULT_XDS_PORT})
  --admin-port N        admin HTTP port for /healthz /readyz /metrics /status (default ${DEFAULT_ADMIN_PORT})
  --host ADDR           address the xDS port binds to (default 127.0.0.1);
                        beyond loopback it needs mTLS (below) or --insecure-xds
  --admin-host ADDR     address the admin port binds to (default 127.0.0.1); beyond loopback it needs
                        --expose-admin (e.g. 0.0.0.0 for Kubernetes httpGet probes)
  --expose-admin        allow a non-loopback --admin-host: /status, /metrics and /catalog (never
                        secrets) are open to whoever reaches the port; shown on /status as a warning
  --insecure-xds        allow plaintext xDS on a non-loopback --host: logged and shown on /status as a
                        warning; Secrets (TLS keys) are still sent only to loopback peers
  --watch               recompile and push on every config change; a broken edit keeps the last good config
  --tls-cert FILE       server certificate: require mTLS on the xDS port (with --tls-key and --client-ca)
  --tls-key FILE        private key of --tls-cert
  --client-ca FILE      CA that signs the Envoys' client certificates
  --allow-spiffe ID[=GW,...]
                        only serve clients whose certificate has this SPIFFE ID (repeatable); with
                        =GW, that identity may fetch only the named gateways (recommended)
  --allow-san NAME[=GW,...]
                        the same for a DNS/URI SAN
  --log-format F        json or text (default: json unless stdout is a terminal)
  --usage-db FILE       where the AI processor records usage (default ${DEFAULT_USAGE_DB})
  --ratelimit-redis URL count global rate limits in Redis (shared with other replicas) instead of memory;
                        env:NAME reads the URL from that environment variable (a password goes there)

Example:
  portcullis serve gateway.config.ts --watch
  portcullis bootstrap --node-id edge-1 --cluster <gateway name> --out envoy.json && envoy -c envoy.json`;

function parse(args: string[]) {
  return parseCommandArgs(args, {
    "xds-port": { type: "string" },
    "admin-port": { type: "string" },
    host: { type: "string" },
    "admin-host": { type: "string" },
    "expose-admin": { type: "boolean" },
    "insecure-xds": { type: "boolean" },
    watch: { type: "boolean" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    "client-ca": { type: "string" },
    "allow-spiffe": { type: "string", multiple: true },
    "allow-san": { type: "string", multiple: true },
    "log-format": { type: "string" },
    "usage-db": { type: "string" },
    "ratelimit-redis": { type: "string" },
  });
}

/** The config a path (or the working directory) names, or a UserError that says how to get one. */
function configFileOrThrow(path: string | undefined): string {
  const { file, found } = discoverConfig(path, process.cwd());
  if (found) return file;
  throw new UserError(`no gateway config at ${file}; name a config file, or a directory holding one of ${CONFIG_FILE_NAMES.join(", ")} (portcullis init writes one)`);
}

/** The mTLS allow-lists, with `IDENTITY=GATEWAY,...` bindings split out. */
function peerAllowList(spiffe: readonly string[], sans: readonly string[]) {
  const spiffeList = parseAllowList(spiffe);
  const sanList = parseAllowList(sans);
  return {
    allowSpiffe: spiffeList.identities,
    allowSan: sanList.identities,
    gatewaysOf: new Map([...spiffeList.gatewaysOf, ...sanList.gatewaysOf]),
  };
}

/**
 * V8 lets the old generation grow to up to about twice what survived the last full collection
 * before it collects again. Every recompile leaves the last one's IR and encodings there as
 * garbage, so a control plane receiving edits would climb by a few MB per edit (measured: 1,000
 * clients, 20 one-route edits of a 1,000-route config, peak RSS ~245 MB) before V8 looked. Growing
 * it by 10 % instead holds it near what is live (~198 MB) for ~10 % more CPU, spent in V8's
 * concurrent marking rather than in pauses. The factor is read at each collection, so setting it
 * now takes effect.
 */
function collectOldGenerationSooner(): void {
  setFlagsFromString("--heap-growing-percent=10");
}

export const serveCommand: Command = {
  name: "serve",
  summary: "serve compiled configs to Envoy over xDS, with hot reload and an admin endpoint",
  help: HELP,
  async run(args) {
    const { values, positionals } = parse(args);
    const logFormat = values["log-format"];
    if (logFormat !== undefined && logFormat !== "json" && logFormat !== "text") throw new UsageError(`--log-format must be json or text, got "${logFormat}"`);
    const tlsFiles = [values["tls-cert"], values["tls-key"], values["client-ca"]];
    if (tlsFiles.some(Boolean) && !tlsFiles.every(Boolean)) throw new UsageError("mTLS needs all three of --tls-cert, --tls-key and --client-ca");
    if ((values["allow-spiffe"] || values["allow-san"]) && !values["tls-cert"]) throw new UsageError("--allow-spiffe and --allow-san need mTLS (--tls-cert, --tls-key, --client-ca)");
    if (values["insecure-xds"] && (values["tls-cert"] || isLoopbackHost(values.host ?? "127.0.0.1"))) {
      throw new UsageError("--insecure-xds only applies to plaintext xDS on a non-loopback --host; it has no effect with mTLS or on loopback, so leave it out");
    }
    if (values["expose-admin"] && isLoopbackHost(values["admin-host"] ?? "127.0.0.1")) {
      throw new UsageError("--expose-admin only applies to a non-loopback --admin-host; leave it out");
    }
    const ratelimitRedis = redisUrlFlag("--ratelimit-redis", values["ratelimit-redis"]);
    const log = createLogger(logFormat ? { json: logFormat === "json" } : {});
    collectOldGenerationSooner();

    // The config files themselves (not directories): they key the registry and are what --watch watches.
    const files = (positionals.length > 0 ? positionals : [undefined]).map((path) => configFileOrThrow(path));

    const plane = await startControlPlane({
      ...(values.host ? { host: values.host } : {}),
      ...(values["insecure-xds"] ? { insecureXds: true } : {}),
      ...(values["admin-host"] ? { adminHost: values["admin-host"] } : {}),
      ...(values["expose-admin"] ? { exposeAdmin: true } : {}),
      xdsPort: values["xds-port"] ? parsePort("--xds-port", values["xds-port"]) : DEFAULT_XDS_PORT,
      adminPort: values["admin-port"] ? parsePort("--admin-port", values["admin-port"]) : DEFAULT_ADMIN_PORT,
      log,
      ...(values["tls-cert"] && values["tls-key"] && values["client-ca"]
        ? {
            tls: {
              certFile: values["tls-cert"],
              keyFile: values["tls-key"],
              clientCaFile: values["client-ca"],
              ...peerAllowList(values["allow-spiffe"] ?? [], values["allow-san"] ?? []),
            },
          }
        : {}),
    });
    for (const file of files) plane.configs.expect(file);
    // The AI processor of every gateway with an `ai` or `mcp` section runs here too, on the address its config names.
    const ai = new OnDemand(
      (ir) => Boolean(ir.ai || ir.mcp),
      async () => new (await import("../ai/processors.ts")).AiProcessors({ log, usage: values["usage-db"] ?? DEFAULT_USAGE_DB }),
    );
    // So does the rate-limit service of every gateway with a global limit on a loopback address.
    const limits = new OnDemand(
      (ir) => ir.rateLimitService !== undefined,
      async () => {
        const [{ RateLimitServices }, { openCounterStore }] = await Promise.all([import("../ratelimit/services.ts"), import("../ratelimit/store.ts")]);
        return new RateLimitServices(log, () => openCounterStore(ratelimitRedis, log));
      },
    );
    // And the audit trail: the access-log receiver and store, each config served, each rollout per node.
    const audit = new AuditTrail(log, plane);
    // Access grants stop working at their expiry instant: the config is recompiled then.
    const grants = new GrantExpiry((file) => compileGatewayFile(file), (outcome) => apply(outcome), log);
    const apply = (outcome: CompileOutcome) => {
      plane.configs.apply(outcome);
      grants.track(outcome);
      ai.apply(outcome).catch((error: Error) => log.error("the AI processor cannot start", { error: error.message }));
      limits.apply(outcome).catch((error: Error) => log.error("the rate-limit service cannot start", { error: error.message }));
      audit.apply(outcome).catch((error: Error) => log.error("the audit receiver cannot start", { error: error.message }));
    };
    // The first compiles also tell --watch which files each config depends on.
    const initial: CompileResult[] = [];
    for (const file of files) {
      const outcome = await compileGatewayFile(file);
      plane.configs.apply(outcome);
      grants.track(outcome);
      await Promise.all([ai.apply(outcome), limits.apply(outcome), audit.apply(outcome)]).catch(async (error: unknown) => {
        await Promise.all([plane.close(), ai.close(), limits.close(), audit.close()]);
        throw error;
      });
      initial.push(outcome);
    }
    const watcher = values.watch ? watchConfigs({ initial, compile: (file) => compileGatewayFile(file), apply, log }) : undefined;
    log.info("control plane ready", {
      xds: `${values.host ?? "127.0.0.1"}:${plane.xdsPort}`,
      admin: `http://${values["admin-host"] ?? "127.0.0.1"}:${plane.adminPort}`,
      mtls: Boolean(values["tls-cert"]),
      watch: Boolean(values.watch),
      gateways: plane.cache.gateways(),
      ai: ai.addresses(),
      rateLimits: limits.addresses(),
      audit: audit.addresses(),
    });

    const signal = await stopSignal();
    log.info("shutting down", { signal });
    watcher?.close();
    grants.close();
    await Promise.all([plane.close(), ai.close(), limits.close(), audit.close()]);
    return plane.configs.ready() ? ExitCode.ok : ExitCode.findings;
  },
};
