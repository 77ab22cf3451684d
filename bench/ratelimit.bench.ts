/**
 * What a global rate limit costs: the same GET through the same Envoy to the same backend, on a
 * route with no limit, with a local limit (Envoy's token bucket), and with a global limit whose
 * rate-limit service (`portcullis ratelimit-service`, a process of its own as in a fleet) counts
 * in memory or in a real redis-server. Limits are set far above what the run sends, so every
 * request is admitted and counted. A fixed number of requests in flight for a fixed time per
 * variant, variants interleaved over several rounds so drift hits them alike. The load generator,
 * Envoy, the service and Redis share the machine's cores. Prints figures; never fails on timing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig, Route } from "../src/config/types.ts";
import { startBackend } from "../test/support/backend.ts";
import { startCommand } from "../test/support/cli-process.ts";
import { startCompiledEnvoy } from "../test/support/compiled-envoy.ts";
import { stopAllEnvoys } from "../test/support/envoy.ts";
import { freePort } from "../test/support/ports.ts";
import { startRedis } from "../test/support/redis.ts";
import { percentile, printTable } from "./support/percentiles.ts";

const IN_FLIGHT = 8;
const SECONDS_PER_ROUND = 2;
const ROUNDS = 3;
const HUGE = { requests: 4_000_000_000, per: "hour" } as const;
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

/** The gateway: three routes to one backend, its global limit counted by the service on `servicePort`. */
function config(port: number, backendPort: number, servicePort: number): GatewayConfig {
  const route = (name: string, extra: Partial<Route> = {}): Route => ({ name, match: { path: `/${name}` }, provider: "backend", access: { public: { reason: "benchmark" } }, ...extra });
  return {
    gateway: { name: "ratelimit-bench", listeners: [{ name: "web", address: "127.0.0.1", port, hostnames: ["bench.test"] }], rateLimitService: { address: `127.0.0.1:${servicePort}` } },
    providers: { backend: { type: "service", endpoints: [`127.0.0.1:${backendPort}`], plaintext: { reason: "benchmark backend on loopback" } } },
    apis: [
      {
        name: "bench",
        owner: "bench",
        description: "Benchmark.",
        basePath: "/bench",
        versions: {
          v1: {
            state: "published",
            routes: [route("none"), route("local", { rateLimit: { ...HUGE, by: "client" } }), route("global", { rateLimit: { ...HUGE, by: "client", mode: "global" } })],
          },
        },
      },
    ],
  };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: "127.0.0.1", port, path, agent, headers: { host: "bench.test" } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

/** IN_FLIGHT loops sending back to back for `seconds`; the latencies of every request. */
async function load(port: number, path: string, seconds: number): Promise<number[]> {
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) latencies.push(await get(port, path));
    }),
  );
  return latencies;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-rl-"));
  const redis = await startRedis();
  const backend = await startBackend("backend");
  const [memoryPort, redisPort, memoryEnvoyPort, redisEnvoyPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cli = ["node_modules/.bin/node", ["src/cli/main.ts", "ratelimit-service", "--log-format", "text"]] as const;
  const memoryService = startCommand(cli[0], [...cli[1], "--port", String(memoryPort)], { cwd: process.cwd(), env: process.env });
  const redisService = startCommand(cli[0], [...cli[1], "--port", String(redisPort), "--redis", redis.url], { cwd: process.cwd(), env: process.env });
  try {
    await Promise.all([memoryService.waitFor(/rate-limit service ready/, 15_000), redisService.waitFor(/rate-limit service ready/, 15_000)]);
    // Two Envoys of one config, each asking its own service.
    await startCompiledEnvoy(config(memoryEnvoyPort, backend.port, memoryPort), { file: join(dir, "gateway.yaml") });
    await startCompiledEnvoy(config(redisEnvoyPort, backend.port, redisPort), { file: join(dir, "gateway.yaml") });
    const variants = [
      { name: "no limit", port: memoryEnvoyPort, path: "/v1/bench/none" },
      { name: "local limit (per Envoy)", port: memoryEnvoyPort, path: "/v1/bench/local" },
      { name: "global limit, service in memory", port: memoryEnvoyPort, path: "/v1/bench/global" },
      { name: "global limit, service on Redis", port: redisEnvoyPort, path: "/v1/bench/global" },
    ];
    for (const variant of variants) await load(variant.port, variant.path, 0.5);
    const results = new Map(variants.map((variant) => [variant.name, { count: 0, seconds: 0, latencies: [] as number[] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        const latencies = await load(variant.port, variant.path, SECONDS_PER_ROUND);
        const result = results.get(variant.name)!;
        result.count += latencies.length;
        result.seconds += SECONDS_PER_ROUND;
        result.latencies.push(...latencies);
      }
    }
    const base = results.get("no limit")!;
    const baseRate = base.count / base.seconds;
    printTable(
      `Global rate limiting cost: GET through one Envoy, ${IN_FLIGHT} in flight, ${ROUNDS} × ${SECONDS_PER_ROUND} s per variant, interleaved`,
      ["variant", "requests/s", "vs no limit", "p50", "p99"],
      variants.map((variant) => {
        const result = results.get(variant.name)!;
        const rate = result.count / result.seconds;
        return [variant.name, rate.toFixed(0), `${((rate / baseRate) * 100).toFixed(0)}%`, `${percentile(result.latencies, 50).toFixed(2)} ms`, `${percentile(result.latencies, 99).toFixed(2)} ms`];
      }),
    );
  } finally {
    await stopAllEnvoys();
    await Promise.all([memoryService.stop(), redisService.stop()]);
    await Promise.all([redis.stop(), backend.close()]);
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
