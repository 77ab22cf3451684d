/**
 * One AI request as the processor sees it over one ext_proc stream: request headers (the endpoint,
 * the verified caller), the request body (the model alias: pick the provider, translate, sign,
 * and have Envoy route to the provider's cluster), response headers and the response body chunk
 * by chunk (translate, read the usage), and finally the usage record. A request that may take
 * several attempts (fallbacks, pooled keys: src/ai/routing) goes to its chain's route instead, and
 * each attempt is translated and signed on the stream of the chain cluster's filter. Before the provider is
 * called, the request's worst case is reserved against its budgets (src/ai/budgets), and settled
 * when the answer ends. Synchronous except for a reservation in Redis: every other message is
 * answered as soon as it arrives.
 */
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { type Caller, callerOf } from "./caller.ts";
import { costUsd } from "./catalog.ts";
import { resolveChat, type ResolvedChat } from "./chat-request.ts";
import { resolveEmbeddings } from "./embeddings-request.ts";
import { resolveMessages } from "./messages-request.ts";
import type { AnthropicClientHeaders } from "./providers/anthropic-passthrough.ts";
import { ANTHROPIC_MESSAGES_PATH } from "./providers/upstream-path.ts";
import { immediateResponse, phaseResponse, readHeaders } from "./ext-proc-messages.ts";
import type { AiGatewayRuntime } from "./gateways.ts";
import { type Admission, admit, type BudgetHold, settle, settledUsage } from "./budgets/admission.ts";
import type { BudgetLedgers } from "./budgets/ledgers.ts";
import { providerRequestHeaders, providerResponseHeaders } from "./headers.ts";
import { modelList } from "./models-endpoint.ts";
import { errorBody, isOpenAiError, type OpenAiError } from "./openai-errors.ts";
import type { AiProviderIR } from "../model/ir.ts";
import type { ProviderAdapter, Usage } from "./providers/adapter.ts";
import { type EmbeddingsRequest, embeddingsAdapter } from "./providers/embeddings.ts";
import { anthropicPassthroughAdapter } from "./providers/anthropic-passthrough.ts";
import { ADAPTERS } from "./providers/index.ts";
import { AI_UPSTREAM_PATH_HEADER } from "./providers/upstream-path.ts";
import { responseBody, type ResponseBody } from "./response-body.ts";
import { countEvents } from "./sse.ts";
import { PromptCall } from "./prompts/prompt-call.ts";
import { RESPONSES_PATH } from "./responses/request.ts";
import { ResponsesCall } from "./responses/responses-call.ts";
import { type AdapterFor, RoutedRequest } from "./routing/routed-request.ts";
import { reservationFor } from "./routing/reservation.ts";
import { RoutingState } from "./routing/routing-state.ts";
import type { UsageRecord, UsageSink } from "./usage.ts";

export interface ExchangeDeps {
  readonly usage: UsageSink;
  /** Cost in US dollars of a request's tokens, or null without a known price; default: the model catalog. */
  readonly price?: (provider: AiProviderIR, model: string, usage: Usage) => number | null;
  readonly now?: () => number;
  /** Budget counters; absent: budgets are not enforced (only tests of other parts leave it out). */
  readonly budgets?: BudgetLedgers;
  /** Hears of requests that audit-mode budgets let through past their limit. */
  readonly onOverrun?: (overrun: { readonly gateway: string; readonly budget: string; readonly member: string; readonly requestId: string }) => void;
  /** What this processor's streams share for chained requests (one per processor; absent: one of the exchange's own). */
  readonly routing?: RoutingState;
}


interface Routed {
  readonly request: RoutedRequest;
  readonly stream: boolean;
  readonly clientWantsUsage: boolean;
  /** Whether the request's attempts can find it (chains only). */
  readonly registered?: true;
}

/** The endpoints whose requests go to a provider, and their paths below the base path. */
const ENDPOINTS = ["chat", "embeddings", "messages"] as const;
const ENDPOINT_PATHS: Readonly<Record<(typeof ENDPOINTS)[number], string>> = { chat: "/chat/completions", embeddings: "/embeddings", messages: ANTHROPIC_MESSAGES_PATH };
const catalogPrice = (provider: AiProviderIR, model: string, usage: Usage) => costUsd(provider.catalog, model, usage);
const fail = (error: OpenAiError) => immediateResponse(error.status, errorBody(error));

export class AiExchange {
  readonly #runtime: AiGatewayRuntime | undefined;
  readonly #deps: ExchangeDeps;
  readonly #started: number;
  #caller: Caller = { requestId: "" };
  #routed: Routed | undefined;
  /** Which endpoint the request is for. */
  #endpoint: (typeof ENDPOINTS)[number] | undefined;
  /** The API version and betas an Anthropic client asked for (Messages passthrough). */
  #anthropicClient: AnthropicClientHeaders = {};
  /** A prompt API call: its body becomes a chat request, and the answer `{ "output": … }` (src/ai/prompts). */
  #prompt: PromptCall | undefined;
  /** A Responses API call (src/ai/responses): served as a chat request, answered in the Responses shape. */
  #responses: ResponsesCall | undefined;
  #status = 0;
  #body: ResponseBody | undefined;
  #recorded = false;
  #hold: BudgetHold | undefined;
  /** Events of a streamed answer the client got (for the estimate when no usage comes). */
  #events = 0;

  constructor(runtime: AiGatewayRuntime | undefined, deps: ExchangeDeps) {
    this.#runtime = runtime;
    this.#deps = deps;
    this.#started = (deps.now ?? Date.now)();
  }

  /** The answer to one message from Envoy; undefined for messages that need none. */
  handle(request: ProcessingRequest): ProcessingResponse | undefined | Promise<ProcessingResponse> {
    const message = request.request;
    switch (message.case) {
      case "requestHeaders":
        return this.#requestHeaders(readHeaders(message.value.headers), message.value.endOfStream);
      case "requestBody":
        return this.#requestBody(message.value.body);
      case "responseHeaders":
        return this.#responseHeaders(readHeaders(message.value.headers), message.value.endOfStream);
      case "responseBody":
        return this.#responseBody(message.value.body, message.value.endOfStream);
      default:
        return undefined; // trailers are never asked for
    }
  }

  /** The stream ended: an answer cut short is still recorded, with what was seen of it. */
  close(): void {
    this.#record();
    if (this.#routed?.registered) this.#deps.routing?.forget(this.#caller.requestId);
  }

  #requestHeaders(headers: Map<string, string>, endOfStream: boolean): ProcessingResponse {
    const runtime = this.#runtime;
    if (!runtime) return fail({ status: 503, type: "server_error", message: "The AI gateway is not loaded on this processor yet.", code: "gateway_not_loaded" });
    const path = (headers.get(":path") ?? "").split("?")[0];
    if (path === `${runtime.basePath}/models`) return immediateResponse(200, modelList(runtime));
    const prompt = runtime.prompts.get(path ?? "");
    this.#prompt = prompt && new PromptCall(prompt);
    this.#responses = path === `${runtime.basePath}${RESPONSES_PATH}` ? new ResponsesCall() : undefined;
    this.#endpoint = prompt || this.#responses ? "chat" : ENDPOINTS.find((endpoint) => path === `${runtime.basePath}${ENDPOINT_PATHS[endpoint]}`);
    const [version, beta] = [headers.get("anthropic-version"), headers.get("anthropic-beta")];
    this.#anthropicClient = { ...(version ? { version } : {}), ...(beta ? { beta } : {}) };
    if (!this.#endpoint) return fail({ status: 404, type: "invalid_request_error", message: `Unknown AI endpoint ${path}.`, code: "unknown_url" });
    if (endOfStream) return this.#prompt?.noBody() ?? fail({ status: 400, type: "invalid_request_error", message: "The request has no body: send the chat completion request as JSON." });
    this.#caller = callerOf(headers, runtime);
    // The client's credentials and the gateway's identity headers are for the gateway, never for the provider.
    return phaseResponse("requestHeaders", { remove: providerRequestHeaders(headers).remove });
  }

  #requestBody(received: Uint8Array): ProcessingResponse | Promise<ProcessingResponse> {
    const body = this.#prompt ? this.#prompt.chatRequest(received) : this.#responses ? this.#responses.chatRequest(received) : received;
    if (!(body instanceof Uint8Array)) return body;
    const runtime = this.#runtime!;
    const endpoint = this.#endpoint!;
    const resolved: (ResolvedChat & { readonly adapter?: ProviderAdapter }) | OpenAiError =
      endpoint === "embeddings" ? resolveEmbeddings(body, runtime) : endpoint === "messages" ? resolveMessages(body, runtime, this.#anthropicClient) : resolveChat(body, runtime);
    if (isOpenAiError(resolved)) return fail(resolved);
    const request = new RoutedRequest({
      runtime,
      routing: this.#deps.routing ?? new RoutingState(),
      endpoint,
      chat: resolved.chat,
      alias: resolved.model,
      requestId: this.#caller.requestId,
      adapterFor: this.#adapterFor(endpoint, resolved.chat),
      now: this.#deps.now ?? Date.now,
    });
    const plan = request.plan;
    if (plan.attempts.length === 0) return fail({ status: 400, type: "invalid_request_error", param: "model", code: "model_not_supported", message: `No target of the model \`${resolved.model.alias}\` serves this endpoint.` });
    // The first attempt is translated here, so a request no provider could take is refused before any call.
    const native = request.translate(0);
    if ("status" in native) return fail(native);
    const streamOptions = resolved.chat["stream_options"];
    const routed: Routed = {
      request,
      stream: resolved.chat.stream === true,
      clientWantsUsage: typeof streamOptions === "object" && streamOptions !== null && (streamOptions as Record<string, unknown>)["include_usage"] === true,
    };
    this.#routed = routed;
    const forward = plan.chain ? () => this.#toChain(plan.chain!) : () => {
      const bytes = new TextEncoder().encode(native.body);
      return phaseResponse("requestBody", {
        set: {
          ...native.headers,
          [runtime.routeHeader]: request.current.provider.name,
          ...(native.path ? { [AI_UPSTREAM_PATH_HEADER]: native.path } : {}),
          "content-type": "application/json",
          "content-length": String(bytes.length),
          ...this.#chatPath(),
        },
        body: bytes,
        // Envoy matches routes again: the provider route (its cluster, Host and timeout) now applies.
        clearRouteCache: true,
      });
    };
    const admission = this.#admit(request);
    if (!(admission instanceof Promise)) return this.#decide(admission, forward);
    return admission.then(
      (decided) => this.#decide(decided, forward),
      // Fail closed: a request that cannot be checked against its budgets does not go on.
      () => {
        this.#routed = undefined;
        return fail({ status: 503, type: "server_error", code: "budget_store_unavailable", message: "The budget store cannot be reached, so this request cannot be checked against its budgets; retry later." });
      },
    );
  }

  /** To the chain's route: Envoy makes the attempts, and each one finds this request by the id sent along. */
  #toChain(chain: string): ProcessingResponse {
    const routing = this.#deps.routing;
    const routed = this.#routed!;
    if (!routing?.register(this.#caller.requestId, routed.request)) {
      this.#routed = undefined;
      return fail({ status: 409, type: "invalid_request_error", code: "request_id_in_use", message: "Another request with this request id is in flight; send each request with an id of its own." });
    }
    this.#routed = { ...routed, registered: true };
    return phaseResponse("requestBody", { set: { [this.#runtime!.routeHeader]: chain, ...this.#chatPath() }, clearRouteCache: true });
  }

  /** A Responses request goes the way of a chat request: to the chat routes of its provider or chain. */
  #chatPath(): Record<string, string> {
    return this.#responses ? { ":path": `${this.#runtime!.basePath}${ENDPOINT_PATHS.chat}` } : {};
  }

  /** The adapter of an endpoint for each target's provider and model. */
  #adapterFor(endpoint: (typeof ENDPOINTS)[number], chat: ResolvedChat["chat"]): AdapterFor {
    if (endpoint === "embeddings") return (provider, model) => embeddingsAdapter(provider.api, chat as EmbeddingsRequest, model);
    if (endpoint === "messages") {
      const passthrough = anthropicPassthroughAdapter(this.#anthropicClient);
      return (provider) => (provider.api === "anthropic" ? passthrough : undefined);
    }
    return (provider) => ADAPTERS[provider.api];
  }

  #admit(request: RoutedRequest): Admission | Promise<Admission> {
    const runtime = this.#runtime!;
    const ledgers = this.#deps.budgets;
    if (!ledgers || runtime.budgets.length === 0) return {};
    // Every target the request may reach is reserved for (routing/reservation.ts): a fallback cannot overshoot.
    const reservation = reservationFor(request.chat, request.alias, request.plan.attempts, runtime.providers, this.#deps.price ?? catalogPrice);
    return admit({ gateway: runtime.name, budgets: runtime.budgets, ledger: ledgers.for(runtime.budgetStore), windows: ledgers.windows, caller: this.#caller, chat: request.chat, ...reservation, now: (this.#deps.now ?? Date.now)() });
  }

  /** Refused: a 429 before any provider call, and nothing to record. Admitted: on to the provider, the reservation held. */
  #decide(admission: Admission, forward: () => ProcessingResponse): ProcessingResponse {
    if ("refusal" in admission) {
      this.#routed = undefined;
      const { error, retryAfterSeconds } = admission.refusal;
      return immediateResponse(error.status, errorBody(error), "application/json", retryAfterSeconds > 0 ? { "retry-after": String(retryAfterSeconds) } : {});
    }
    this.#hold = admission.hold;
    for (const overrun of admission.hold?.overruns ?? []) {
      this.#deps.onOverrun?.({ gateway: overrun.gateway, budget: overrun.budget.name, member: overrun.member, requestId: this.#caller.requestId });
    }
    return forward();
  }

  #responseHeaders(headers: Map<string, string>, endOfStream: boolean): ProcessingResponse {
    const routed = this.#routed;
    if (!routed) return phaseResponse("responseHeaders");
    this.#status = Number(headers.get(":status") ?? 0);
    // The attempt that answered (Envoy retried the others): its provider's format is what came back.
    this.#body = responseBody(routed.request.current.adapter, this.#status, headers.get("content-type") ?? "", { clientWantsUsage: routed.clientWantsUsage });
    if (endOfStream) this.#recordAfterAnswer();
    const mutation = providerResponseHeaders(headers, this.#body);
    if (this.#responses) return this.#responses.responseHeaders(routed.request.alias.alias, this.#body.streamed, this.#status, mutation, (this.#deps.now ?? Date.now)());
    return phaseResponse("responseHeaders", this.#prompt ? this.#prompt.responseHeaders(headers, mutation) : mutation);
  }

  #responseBody(chunk: Uint8Array, endOfStream: boolean): ProcessingResponse {
    const out = this.#body?.push(chunk, endOfStream);
    if (this.#body?.streamed && out) this.#events += countEvents(out);
    if (endOfStream) this.#recordAfterAnswer();
    // A prompt's answer comes whole (BUFFERED): the OpenAI-shaped completion becomes its output.
    if (this.#prompt && endOfStream) return this.#prompt.answer(this.#status, out ?? chunk);
    if (this.#responses?.answering) return this.#responses.answer(out ?? chunk, endOfStream, this.#status);
    return phaseResponse("responseBody", out === undefined ? {} : { body: out });
  }

  /**
   * The answer is complete: its record (pricing, settling the budgets) is made once this last
   * message's answer is on its way, so the client does not wait for it. A new request cannot be
   * admitted before that: it would have to reach the processor in a later turn of the event loop.
   */
  #recordAfterAnswer(): void {
    setImmediate(() => this.#record());
  }

  #record(): void {
    const routed = this.#routed;
    if (!routed || this.#recorded || !this.#runtime) return;
    this.#recorded = true;
    const usage = this.#body?.usage();
    const hold = this.#hold;
    // Settled and recorded against the target that answered.
    const { attempt } = routed.request.current;
    const attempts = routed.request.outcomes();
    const price = this.#deps.price ?? catalogPrice;
    // Without reported usage, a request that held a budget is recorded (and settled) at its estimate.
    const counted = hold ? settledUsage(hold, { status: this.#status, usage, streamed: this.#body?.streamed ?? false, events: this.#events }) : usage;
    const tokens: Usage = counted ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
    const cost = counted ? price(routed.request.current.provider, attempt.model, tokens) : null;
    if (hold) settle(hold, tokens, cost);
    const now = (this.#deps.now ?? Date.now)();
    const record: UsageRecord = {
      time: new Date(this.#started).toISOString(),
      gateway: this.#runtime.name,
      ...this.#caller,
      endpoint: this.#prompt ? "prompt" : this.#responses ? "responses" : this.#endpoint!,
      alias: routed.request.alias.alias,
      ...(this.#prompt ? { prompt: this.#prompt.name } : {}),
      provider: attempt.provider,
      model: attempt.model,
      target: routed.request.target,
      ...(attempts.length > 0 ? { attempts } : {}),
      stream: routed.stream,
      status: this.#status,
      ...tokens,
      usageReported: usage !== undefined,
      costUsd: cost,
      durationMs: now - this.#started,
    };
    this.#deps.usage.record(record);
  }
}
