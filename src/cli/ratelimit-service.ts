import { isLoopbackHost } from "../server/peer-address.ts";
import { createLogger } from "../server/log.ts";
import { openCounterStore, redactedUrl } from "../ratelimit/store.ts";
import { redisUrlFlag } from "./redis-url.ts";
import { startRateLimitService } from "../ratelimit/server.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { parsePort } from "./net-args.ts";
import { stopSignal } from "./stop-signal.ts";

const DEFAULT_PORT = 18002;

const HELP = `Usage: portcullis ratelimit-service [options]

Runs only the rate-limit service that Envoy's ratelimit filter asks about limits with
mode: "global" (envoy.service.ratelimit.v3). It needs no config: each request names its limit and
quota. For a fleet, run several replicas with the same --redis, so every Envoy and every replica
shares one count, and name them (or a load balancer in front) in gateway.rateLimitService.address.
(serve and up run one themselves, counting in memory, on a loopback address the config names.)
Counts are fixed windows: a limit of N per minute admits N in each clock minute.

Options:
  --host ADDR       address to listen on (default 127.0.0.1); the service is plaintext gRPC, so
                    listen beyond loopback only on a network only Envoys reach
  --port N          gRPC port (default ${DEFAULT_PORT})
  --redis URL       count in Redis (redis:// or rediss://) instead of in this process's memory;
                    env:NAME reads the URL from that environment variable (a password goes there)
  --log-format F    json or text (default: json unless stdout is a terminal)

Example:
  portcullis ratelimit-service --host 10.0.0.5 --redis redis://redis.internal:6379`;

export const rateLimitServiceCommand: Command = {
  name: "ratelimit-service",
  summary: "run only the rate-limit service (global rate limits) for fleets, in memory or on Redis",
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      host: { type: "string" },
      port: { type: "string" },
      redis: { type: "string" },
      "log-format": { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError("ratelimit-service takes no config: Envoy's requests name each limit and its quota");
    const logFormat = values["log-format"];
    if (logFormat !== undefined && logFormat !== "json" && logFormat !== "text") throw new UsageError(`--log-format must be json or text, got "${logFormat}"`);
    const log = createLogger(logFormat ? { json: logFormat === "json" } : {});
    const host = values.host ?? "127.0.0.1";
    const port = values.port ? parsePort("--port", values.port) : DEFAULT_PORT;
    if (!isLoopbackHost(host)) log.warn("the rate-limit service listens beyond loopback in plaintext: only Envoys should be able to reach it", { host });
    const redis = redisUrlFlag("--redis", values.redis);
    const store = await openCounterStore(redis, log);
    const service = await startRateLimitService({ host, port, store, log }).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    log.info("rate-limit service ready", { address: service.address, counters: redis ? `redis ${redactedUrl(redis)}` : "memory" });
    const signal = await stopSignal();
    log.info("shutting down", { signal });
    await service.close();
    await store.close();
    return ExitCode.ok;
  },
};
