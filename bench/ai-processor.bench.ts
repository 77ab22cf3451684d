/**
 * What the AI processor adds: the same chat request through the same Envoy to the same fake
 * provider, once on a plain API route (the client sends the provider's own request and key) and
 * once through the AI API (ext_proc: alias → provider, key injection, translation, usage). For
 * OpenAI passthrough and OpenAI→Anthropic translation, whole answers (latency) and streamed ones
 * (time to the first body byte). One request at a time at a steady pace, variants interleaved so
 * drift hits them alike. The processor runs as `portcullis processor` in a process of its own, as in
 * a fleet (serve runs it in the control plane's process); the fakes and the client run here.
 * The floor beside them: the plain routes again with Envoy's ext_proc filter in the AI routes'
 * processing modes, calling a no-op processor written in Go (bench/peers/null-ext-proc) — what
 * ext_proc costs by itself on this machine, before any processor does anything. Prints figures;
 * never fails on timing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BootstrapSchema } from "../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway } from "../src/compile.ts";
import type { GatewayConfig } from "../src/config/types.ts";
import { toEnvoyJson } from "../src/envoy/encode.ts";
import { buildStaticBootstrap } from "../src/xds/bootstrap-static.ts";
import { aiGatewayConfig } from "../test/support/ai-gateway.ts";
import { startEnvoy, stopAllEnvoys } from "../test/support/envoy.ts";
import { startFakeAnthropic } from "../test/support/fake-providers/anthropic.ts";
import { startFakeOpenAi } from "../test/support/fake-providers/openai.ts";
import { freePorts } from "../test/support/ports.ts";
import { percentile, printTable } from "./support/percentiles.ts";
import { startGoPeer } from "./support/go-peer.ts";
import { startProcessorProcess } from "./support/processor-process.ts";

const SAMPLES = 400;
const WARMUP = 40;
const PACE_MS = 5;
const KEYS = { ALICE_KEYS: "bench-alice-key-0123456789", BOB_KEYS: "bench-bob-key-0123456789", OPENAI_KEY: "sk-bench-openai", ANTHROPIC_KEY: "sk-ant-bench" };
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** The gateway under test plus plain routes straight to the same fake providers. */
function config(ports: Parameters<typeof aiGatewayConfig>[0]): GatewayConfig {
  const ai = aiGatewayConfig(ports);
  const plaintext = { reason: "benchmark fake on the loopback interface" };
  return {
    ...ai,
    // The gateway key travels in a header of its own, so plain routes can carry the provider's key in Authorization.
    identities: { apps: { type: "apiKey", from: { header: "x-gateway-key" }, consumers: [{ name: "alice", keys: { env: "ALICE_KEYS" } }] } },
    providers: {
      ...ai.providers,
      "oai-direct": { type: "service", endpoints: [`127.0.0.1:${ports.openai}`], plaintext },
      "ant-direct": { type: "service", endpoints: [`127.0.0.1:${ports.anthropic}`], plaintext },
    },
    apis: [
      {
        name: "direct",
        owner: "bench",
        basePath: "/direct",
        versions: {
          v1: {
            state: "published",
            access: { allow: [{ identity: "apps" }] },
            routes: [
              { name: "openai", match: { path: "/openai", methods: ["POST"] }, provider: "oai-direct", rewrite: { prefix: "/v1/chat/completions" } },
              { name: "anthropic", match: { path: "/anthropic", methods: ["POST"] }, provider: "ant-direct", rewrite: { prefix: "/v1/messages" } },
            ],
          },
        },
      },
    ],
  };
}

interface Variant {
  readonly label: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: (stream: boolean) => string;
}

const messages = [{ role: "user", content: "Say something short about latency" }];
const gatewayKey = { "x-gateway-key": KEYS.ALICE_KEYS };

const VARIANTS = {
  openaiDirect: { label: "OpenAI, plain route", path: "/v1/direct/openai", headers: { ...gatewayKey, authorization: `Bearer ${KEYS.OPENAI_KEY}` }, body: (stream: boolean) => JSON.stringify({ model: "gpt-4o-mini", messages, stream }) },
  openaiAi: { label: "OpenAI, AI API (passthrough)", path: "/ai/v1/chat/completions", headers: gatewayKey, body: (stream: boolean) => JSON.stringify({ model: "fast", messages, stream }) },
  anthropicDirect: {
    label: "Anthropic, plain route",
    path: "/v1/direct/anthropic",
    headers: { ...gatewayKey, authorization: `Bearer ${KEYS.ANTHROPIC_KEY}`, "anthropic-version": "2023-06-01" },
    body: (stream: boolean) => JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 4096, messages, stream }),
  },
  anthropicAi: { label: "Anthropic, AI API (OpenAI→Anthropic)", path: "/ai/v1/chat/completions", headers: gatewayKey, body: (stream: boolean) => JSON.stringify({ model: "smart", messages, stream }) },
} satisfies Record<string, Variant>;

const NOOP_CLUSTER = "noop_ext_proc";
/** The header that sends a request to the copy of its plain route with the no-op processor. */
const NOOP_HEADER = "x-bench-noop-ext-proc";
const EXT_PROC = "envoy.filters.http.ext_proc";
const withNoopProcessor = (variant: Variant): Variant => ({ ...variant, label: variant.label.replace("plain route", "no-op ext_proc"), headers: { ...variant.headers, [NOOP_HEADER]: "1" } });

/** The parts of Envoy's JSON bootstrap this benchmark edits. */
interface JsonRoute {
  readonly name: string;
  readonly match: { readonly headers?: readonly unknown[] };
  readonly typed_per_filter_config?: Record<string, { readonly overrides?: { readonly processing_mode?: unknown } }>;
}
interface JsonBootstrap {
  readonly static_resources: {
    readonly listeners: readonly { readonly filter_chains: readonly { readonly filters: readonly { readonly name: string; readonly typed_config: unknown }[] }[] }[];
    readonly clusters: unknown[];
  };
}

/** The plain routes' names: qualified in a table of several APIs, within their version in the scope that holds it alone. */
const PLAIN_ROUTES = new Set(["direct.v1.openai", "direct.v1.anthropic", "openai", "anthropic"]);

/** The HTTP connection manager's route tables: its one inline table, or its route scopes' (the gateway splits routes by path segment). */
interface JsonConnectionManager {
  readonly route_config?: JsonRouteTable;
  readonly scoped_routes?: { readonly scoped_route_configurations_list: { readonly scoped_route_configurations: readonly { readonly route_configuration: JsonRouteTable }[] } };
}
interface JsonRouteTable {
  readonly virtual_hosts: readonly { routes: JsonRoute[] }[];
}

/**
 * The bootstrap with a copy of each plain route (for requests with NOOP_HEADER) whose ext_proc
 * filter runs in the chat route's processing modes against the no-op processor, and that processor's cluster.
 * Each copy goes first in its own virtual host, so it is in the scope its path is.
 */
function withNoopProcessorRoutes(bootstrap: JsonBootstrap, noopPort: number): JsonBootstrap {
  const filters = bootstrap.static_resources.listeners[0]!.filter_chains[0]!.filters;
  const manager = filters.find((filter) => filter.name === "envoy.filters.network.http_connection_manager")!.typed_config as JsonConnectionManager;
  const tables = manager.route_config ? [manager.route_config] : (manager.scoped_routes?.scoped_route_configurations_list.scoped_route_configurations ?? []).map((scope) => scope.route_configuration);
  const hosts = tables.flatMap((table) => table.virtual_hosts);
  const chat = hosts.flatMap((host) => host.routes).find((route) => route.name === "@ai.chat");
  if (!chat) throw new Error("the compiled gateway has no @ai.chat route to take the processing modes from");
  const chatModes = chat.typed_per_filter_config![EXT_PROC]!.overrides!.processing_mode;
  for (const host of hosts) {
    const copies = host.routes
      .filter((route) => PLAIN_ROUTES.has(route.name))
      .map((route) => ({
        ...route,
        name: `${route.name}.noop-ext-proc`,
        match: { ...route.match, headers: [...(route.match.headers ?? []), { name: NOOP_HEADER, present_match: true }] },
        typed_per_filter_config: {
          ...route.typed_per_filter_config,
          [EXT_PROC]: { "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute", overrides: { processing_mode: chatModes, grpc_service: { envoy_grpc: { cluster_name: NOOP_CLUSTER } } } },
        },
      }));
    host.routes.unshift(...copies);
  }
  bootstrap.static_resources.clusters.push({
    name: NOOP_CLUSTER,
    type: "STATIC",
    typed_extension_protocol_options: { "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": { "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions", explicit_http_config: { http2_protocol_options: {} } } },
    load_assignment: { cluster_name: NOOP_CLUSTER, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: noopPort } } } }] }] },
  });
  return bootstrap;
}

/** Milliseconds to the first body byte and to the end; the status must be 200. */
function timed(port: number, variant: Variant, stream: boolean): Promise<{ first: number; total: number }> {
  const body = variant.body(stream);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: variant.path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...variant.headers } }, (res) => {
      let first = Number.NaN;
      res.on("data", () => {
        if (Number.isNaN(first)) first = performance.now() - start;
      });
      res.on("end", () => (res.statusCode === 200 ? resolve({ first, total: performance.now() - start }) : reject(new Error(`${variant.label}: status ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const dir = mkdtempSync(join(tmpdir(), "portcullis-ai-bench-"));

async function main(): Promise<void> {
  const openai = await startFakeOpenAi({ apiKey: KEYS.OPENAI_KEY });
  const anthropic = await startFakeAnthropic({ apiKey: KEYS.ANTHROPIC_KEY });
  const [listener, processorPort] = await freePorts(2);
  const gateway = config({ listener: listener!, processor: processorPort!, openai: openai.port, anthropic: anthropic.port });
  const compiled = compileGateway(gateway, undefined, { env: KEYS });
  if (!compiled.snapshot) throw new Error(JSON.stringify(compiled.diagnostics));
  const processor = await startProcessorProcess(dir, gateway, KEYS);
  const noop = await startGoPeer("null-ext-proc");
  await startEnvoy({ bootstrap: withNoopProcessorRoutes(toEnvoyJson(BootstrapSchema, buildStaticBootstrap(compiled.snapshot)) as unknown as JsonBootstrap, noop.port) as unknown as Record<string, unknown> });
  try {
    const rows: string[][] = [];
    for (const stream of [false, true]) {
      const pairs = [[VARIANTS.openaiDirect, withNoopProcessor(VARIANTS.openaiDirect), VARIANTS.openaiAi], [VARIANTS.anthropicDirect, withNoopProcessor(VARIANTS.anthropicDirect), VARIANTS.anthropicAi]] as const;
      const samples = new Map<Variant, number[]>(pairs.flat().map((variant) => [variant, []]));
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        for (const variant of pairs.flat()) {
          const { first, total } = await timed(listener!, variant, stream);
          if (i >= WARMUP) samples.get(variant)!.push(stream ? first : total);
          await new Promise((resolve) => setTimeout(resolve, PACE_MS));
        }
      }
      const fmt = (value: number) => `${value.toFixed(2)} ms`;
      for (const [direct, ...through] of pairs) {
        const base = samples.get(direct)!;
        for (const variant of through) {
          const via = samples.get(variant)!;
          rows.push([stream ? "stream, first byte" : "whole answer", variant.label, fmt(percentile(base, 50)), fmt(percentile(via, 50)), fmt(percentile(via, 50) - percentile(base, 50)), fmt(percentile(base, 99)), fmt(percentile(via, 99)), fmt(percentile(via, 99) - percentile(base, 99))]);
        }
      }
    }
    printTable(
      `AI processor overhead: ${SAMPLES} requests per variant, one at a time, ${PACE_MS} ms apart (same Envoy, same fake provider)`,
      ["measure", "through", "plain p50", "p50", "added p50", "plain p99", "p99", "added p99"],
      rows,
    );
  } finally {
    await stopAllEnvoys();
    processor.kill("SIGTERM");
    noop.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    await openai.close();
    await anthropic.close();
  }
}

await main();
