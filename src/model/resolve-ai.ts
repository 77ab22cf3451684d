/**
 * The `ai` section → the AI IR (the processor's address among it), the providers' clusters and the AI routes.
 * Routes are ordinary RouteIRs, so identities and access rules apply to them exactly as to any
 * API route (same filters, same explain matrix); their `ai` marker is what turns the ext_proc
 * filter on. Prompt APIs add their routes (resolve-prompts.ts).
 */
import { isPriced } from "../ai/catalog.ts";
import { AI_UPSTREAM_PATH_HEADER, ANTHROPIC_MESSAGES_PATH } from "../ai/providers/upstream-path.ts";
import { attemptsFor, KEY_REFUSED_STATUS } from "../ai/routing/chains.ts";
import type { ModelPath } from "../config/locate.ts";
import type { AiGateway, GatewayConfig, LlmProvider, ModelAlias, ModelTarget } from "../config/types.ts";
import type { AccessIR, AiBudgetIR, AiChainIR, AiIR, AiModelIR, AiProcessorAddressIR, AiProviderIR, AiRouteIR, AiTargetIR, ClusterIR, RouteIR } from "./ir.ts";
import { joinPath } from "./paths.ts";
import type { Reporter } from "./report.ts";
import { type AccessInputs, resolveAccess } from "./resolve-access.ts";
import { checkBudgetable, resolveBudgets, resolveBudgetStore } from "./resolve-ai-budgets.ts";
import { resolveChains } from "./resolve-ai-chains.ts";
import { resolvePrompts } from "./resolve-prompts.ts";
import { durationOr } from "./resolve-clusters.ts";
import { checkProviderSettings, resolveLlmProvider, type ResolvedLlmProvider } from "./resolve-ai-providers.ts";
import type { SecretSource } from "./secrets.ts";

/** The header the processor sets to select a provider route; clients' copies are removed on arrival. */
export const AI_ROUTE_HEADER = "x-portcullis-ai-provider";
/** Underscores: no provider name (lowercase letters, digits, dashes) can take it. */
export const AI_PROCESSOR_CLUSTER = "portcullis_ai_processor";
export const DEFAULT_AI_PROCESSOR_ADDRESS = "127.0.0.1:18001";
/** The `api` of AI routes; `@` keeps their ids (`@ai.chat`) apart from any API's. */
export const AI_API = "@ai";

export interface AiInputs {
  readonly hostnames: readonly string[];
  readonly access: AccessInputs;
  readonly source: SecretSource;
  readonly report: Reporter;
}

export interface AiResolution {
  readonly ai?: AiIR;
  readonly clusters: readonly ClusterIR[];
  readonly routes: readonly RouteIR[];
}

const LLM_TYPES = new Set(["openai", "anthropic", "gemini", "azure-openai", "bedrock", "openai-compatible"]);
const llmProviders = (config: GatewayConfig) =>
  Object.entries(config.providers ?? {})
    .filter((entry): entry is [string, LlmProvider] => LLM_TYPES.has(entry[1].type))
    .sort(([a], [b]) => (a < b ? -1 : 1));

/** The longest socket path a unix socket address holds (sun_path, with its terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * A loopback IP and port, or a unix socket: the processor sees prompts, answers and provider keys
 * in clear, so it never listens beyond the host.
 */
function processorAddress(ai: AiGateway, report: Reporter): AiProcessorAddressIR | undefined {
  const text = ai.processor?.address ?? DEFAULT_AI_PROCESSOR_ADDRESS;
  const socket = /^unix:(\/.+)$/.exec(text);
  if (socket && Buffer.byteLength(socket[1]!) <= MAX_SOCKET_PATH_BYTES) return { kind: "unix", path: socket[1]! };
  const match = /^(?:\[(::1)\]|(127\.(?:\d{1,3}\.){2}\d{1,3})):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  const octets = (match?.[2] ?? "").split(".").map(Number);
  if (!match || port < 1 || port > 65535 || octets.some((octet) => octet > 255)) {
    report.error(
      "PCL4046",
      socket ? `AI processor socket path "${socket[1]}" is longer than the ${MAX_SOCKET_PATH_BYTES} bytes a unix socket address holds.` : `AI processor address "${text}" is neither a loopback IP and port nor a unix socket.`,
      ["ai", "processor", "address"],
      'Run the processor beside each Envoy: write "127.0.0.1:18001", "[::1]:18001" or "unix:/run/portcullis/ai.sock" (a short absolute path).',
    );
    return undefined;
  }
  return { kind: "tcp", host: (match[1] ?? match[2])!, port };
}

/** One target of an alias, checked against its provider's `models` list and the budgets; undefined after reporting. */
function resolveTarget(alias: string, entry: ModelAlias, target: ModelTarget, path: ModelPath, ctx: ModelContext): AiTargetIR | undefined {
  const { providers, config, budgets, report } = ctx;
  const resolved = providers[target.provider];
  if (!resolved) return undefined; // a missing or unusable provider is reported already
  const allowed = (config.providers?.[target.provider] as LlmProvider | undefined)?.models;
  if (allowed && !allowed.includes(target.model)) {
    report.error("PCL4047", `Model alias "${alias}" asks provider "${target.provider}" for "${target.model}", which its models list does not allow.`, [...path, "model"], `Use one of ${allowed.map((m) => `"${m}"`).join(", ")}, or add "${target.model}" to providers.${target.provider}.models.`);
    return undefined;
  }
  const model: AiModelIR = { alias, provider: target.provider, model: target.model, targets: [], fallbacks: [], ...(entry.maxTokens !== undefined ? { maxTokens: entry.maxTokens } : {}) };
  if (!checkBudgetable(model, resolved.provider, budgets, report, [...path, "model"])) return undefined;
  if (!isPriced(resolved.provider.catalog, target.model)) {
    report.warning("PCL4052", `No price is known for "${target.model}" of provider "${target.provider}" (model alias "${alias}"): its usage is recorded without a cost.`, [...path, "model"], "Check the model name against the provider's; self-hosted models have no price.");
  }
  return { provider: target.provider, model: target.model, weight: target.weight ?? 1 };
}

interface ModelContext {
  readonly providers: Readonly<Record<string, ResolvedLlmProvider>>;
  readonly config: GatewayConfig;
  readonly budgets: readonly AiBudgetIR[];
  readonly report: Reporter;
}

/** Each alias with every target and fallback checked; an alias with any unusable one is left out (after reporting). */
function resolveModels(ai: AiGateway, ctx: ModelContext): AiModelIR[] {
  const { report } = ctx;
  return Object.keys(ai.models ?? {})
    .sort()
    .flatMap((alias) => {
      const entry = ai.models[alias]!;
      const path = ["ai", "models", alias];
      const resolve = (list: "targets" | "fallbacks") => (entry[list] ?? []).map((target, index) => resolveTarget(alias, entry, target, [...path, list, index], ctx));
      for (const [index, fallback] of (entry.fallbacks ?? []).entries()) {
        if (fallback.weight !== undefined) {
          report.error("PCL4154", `A fallback of model alias "${alias}" has a weight, but fallbacks are tried in order, so it would have no effect.`, [...path, "fallbacks", index, "weight"], "Remove weight, or make the fallback a target to split requests with it.");
        }
      }
      const targets = resolve("targets");
      const fallbacks = resolve("fallbacks");
      if (targets.length === 0 || [...targets, ...fallbacks].some((target) => target === undefined)) return [];
      if (targets.every((target) => target!.weight === 0)) {
        report.error("PCL4150", `Every target of model alias "${alias}" has weight 0, so no request would ever start with one.`, [...path, "targets", 0, "weight"], "Give at least one target a positive weight (the default is 1).");
        return [];
      }
      const attemptTimeoutMs = entry.attemptTimeout === undefined ? undefined : durationOr(entry.attemptTimeout, 0, report, [...path, "attemptTimeout"]);
      const first = targets[0]!;
      return [{
        alias,
        provider: first.provider,
        model: first.model,
        targets: targets as AiTargetIR[],
        fallbacks: fallbacks as AiTargetIR[],
        ...(entry.maxTokens !== undefined ? { maxTokens: entry.maxTokens } : {}),
        ...(attemptTimeoutMs ? { attemptTimeoutMs } : {}),
      }];
    });
}

/** An attempt timeout on an alias whose requests never take a second attempt would have no effect (chat requests reach every target). */
function checkAttemptTimeouts(models: readonly AiModelIR[], providers: ReadonlyMap<string, AiProviderIR>, report: Reporter): void {
  for (const model of models) {
    if (model.attemptTimeoutMs !== undefined && attemptsFor(model, 0, "chat", providers).length < 2) {
      report.error("PCL4153", `Model alias "${model.alias}" has an attemptTimeout, but its requests never take a second attempt (one target, no fallbacks, one key), so it would have no effect.`, ["ai", "models", model.alias, "attemptTimeout"], "Add fallbacks or another target, or remove attemptTimeout.");
    }
  }
}

/**
 * What Envoy retries a chain's attempt on: any 5xx, a reset, a refused or failed connection, the
 * attempt timeout (all "5xx"), a 429 and a 401 (the next key; the processor turns a provider's
 * own way of refusing a key, such as Gemini's 400 API_KEY_INVALID, into a 401). Only before the answer's headers
 * went to the client: Envoy never retries an answer it has started to send.
 */
const CHAIN_RETRY_ON = ["5xx", "reset", "connect-failure", "retriable-status-codes"];
const CHAIN_RETRY_STATUSES = [KEY_REFUSED_STATUS, 429];

function aiRoutes(basePath: string, access: AccessIR, hostnames: readonly string[], providers: readonly ResolvedLlmProvider[], chains: readonly AiChainIR[]): RouteIR[] {
  const common = { api: AI_API, version: "-", hostnames, lifecycle: { state: "published" as const }, access };
  const chatPath = `${basePath}/chat/completions`;
  const entry = (name: string, path: string, method: "GET" | "POST", endpoint: AiRouteIR["endpoint"]): RouteIR => ({
    ...common,
    id: `${AI_API}.${name}`,
    name,
    match: { kind: "exact", path, methods: [method], headers: [] },
    action: { kind: "ai-processor" },
    ai: { endpoint },
  });
  const embeddingsPath = `${basePath}/embeddings`;
  const providerRoutes = (endpoint: "chat" | "embeddings" | "messages", path: string, upstreamsOf: (p: ResolvedLlmProvider) => ResolvedLlmProvider["upstreams"]) =>
    providers.flatMap((resolved) =>
      upstreamsOf(resolved).map(({ selector, path: upstreamPath }, index): RouteIR => {
        const { provider, hostHeader, timeoutMs } = resolved;
        const name = `${endpoint}.${provider.name}${selector === undefined ? "" : `.${index}`}`;
        return {
          ...common,
          id: `${AI_API}.${name}`,
          name,
          // A path that depends on the model (Gemini, Azure, Bedrock) is selected by a second header: one route per path, all known here.
          match: { kind: "exact", path, methods: ["POST"], headers: [{ name: AI_ROUTE_HEADER, value: provider.name }, ...(selector === undefined ? [] : [{ name: AI_UPSTREAM_PATH_HEADER, value: selector }])] },
          // The route, not the processor, rewrites the path: a path changed before the route cache is cleared would match no route.
          action: { kind: "forward", cluster: provider.cluster, timeoutMs, rewrite: { prefix: upstreamPath, host: hostHeader } },
          ai: { endpoint, provider: provider.name },
        };
      }),
    );
  const messagesPath = `${basePath}${ANTHROPIC_MESSAGES_PATH}`;
  const paths = { chat: chatPath, embeddings: embeddingsPath, messages: messagesPath };
  // A chain's route sends to its cluster; the processor sets each attempt's path and Host (src/ai/routing/attempt-exchange.ts).
  const chainRoutes = chains.flatMap((chain) =>
    chain.endpoints.map((endpoint): RouteIR => {
      const name = `${endpoint}.${chain.name}`;
      return {
        ...common,
        id: `${AI_API}.${name}`,
        name,
        match: { kind: "exact", path: paths[endpoint], methods: ["POST"], headers: [{ name: AI_ROUTE_HEADER, value: chain.name }] },
        action: {
          kind: "forward",
          cluster: chain.name,
          timeoutMs: chain.timeoutMs,
          retry: {
            attempts: chain.attempts.length - 1,
            on: CHAIN_RETRY_ON,
            statusCodes: CHAIN_RETRY_STATUSES,
            ...(chain.attemptTimeoutMs !== undefined ? { perTryTimeoutMs: chain.attemptTimeoutMs } : {}),
            nextPriorityEachTry: true,
          },
        },
        ai: { endpoint, chain: chain.name },
      };
    }),
  );
  return [
    entry("chat", chatPath, "POST", "chat"),
    entry("embeddings", embeddingsPath, "POST", "embeddings"),
    entry("messages", messagesPath, "POST", "messages"),
    entry("models", `${basePath}/models`, "GET", "models"),
    entry("responses", `${basePath}/responses`, "POST", "responses"),
    ...providerRoutes("chat", chatPath, (p) => p.upstreams),
    ...providerRoutes("embeddings", embeddingsPath, (p) => p.embeddingUpstreams),
    // Anthropic's own Messages API goes where the chat route of an Anthropic provider goes.
    ...providerRoutes("messages", messagesPath, (p) => (p.provider.api === "anthropic" ? p.upstreams : [])),
    ...chainRoutes,
  ];
}

/** An API route whose exact path is one of the AI API's would be shadowed by it or shadow it. */
function checkPathsFree(routes: readonly RouteIR[], taken: readonly RouteIR[], report: Reporter): void {
  const aiPaths = new Set(routes.map((route) => route.match.path));
  const clash = taken.find((route) => route.match.kind === "exact" && aiPaths.has(route.match.path));
  if (clash) report.error("PCL4050", `Route ${clash.id} takes ${clash.match.path}, a path of the AI API.`, ["ai", "basePath"], "Give ai.basePath a path no API uses, e.g. \"/ai/v1\".");
}

/** Resolves the AI gateway; with no `ai` section, only reports LLM providers that nothing would use. */
export function resolveAi(config: GatewayConfig, apiRoutes: readonly RouteIR[], inputs: AiInputs): AiResolution {
  const { report } = inputs;
  const ai = config.ai;
  const used = new Set(Object.values(ai?.models ?? {}).flatMap((alias) => [...(alias.targets ?? []), ...(alias.fallbacks ?? [])].map((target) => target.provider)));
  const resolved: Record<string, ResolvedLlmProvider> = {};
  for (const [name, provider] of llmProviders(config)) {
    checkProviderSettings(name, provider, report);
    if (!used.has(name)) {
      report.warning("PCL4051", `LLM provider "${name}" is not the target of any model alias, so nothing reaches it.`, ["providers", name], "Name it in an ai.models alias, or remove it.");
      continue;
    }
    const result = resolveLlmProvider(name, provider, config, inputs.source, report);
    if (result) resolved[name] = result;
  }
  if (!ai) return { clusters: [], routes: [] };
  const processor = processorAddress(ai, report);
  const budgets = resolveBudgets(ai, config, report);
  const budgetStore = resolveBudgetStore(ai, inputs.source, report);
  const models = resolveModels(ai, { providers: resolved, config, budgets, report });
  const providers = Object.values(resolved);
  const providerIrs = new Map(providers.map((p) => [p.provider.name, p.provider]));
  checkAttemptTimeouts(models, providerIrs, report);
  const chains = resolveChains(models, providerIrs, (name) => resolved[name]!.timeoutMs);
  const basePath = joinPath(ai.basePath ?? "/ai/v1");
  const access = resolveAccess(ai.access, inputs.access, ["ai", "access"]);
  const routes = aiRoutes(basePath, access, inputs.hostnames, providers, chains);
  checkPathsFree(routes, apiRoutes, report);
  const prompts = resolvePrompts(config, { models, providers: providerIrs, aiRoutes: routes, taken: [...apiRoutes, ...routes], access: inputs.access, report });
  if (!processor) return { clusters: [], routes: [] };
  return {
    ai: { basePath, processor: { address: processor, cluster: AI_PROCESSOR_CLUSTER }, routeHeader: AI_ROUTE_HEADER, models, providers: providers.map((p) => p.provider), budgets, budgetStore, chains, prompts: prompts.prompts },
    clusters: providers.map((p) => p.cluster),
    routes: [...routes, ...prompts.routes],
  };
}
