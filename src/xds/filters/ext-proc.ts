import { ExternalProcessorSchema, ExtProcPerRouteSchema } from "../../../generated/envoy/extensions/filters/http/ext_proc/v3/ext_proc_pb.js";
import { ProcessingMode_BodySendMode as Body, ProcessingMode_HeaderSendMode as Headers } from "../../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import { ATTEMPT_ATTRIBUTE } from "../../ai/routing/attempt-exchange.ts";
import type { GatewayIR, RouteIR } from "../../model/ir.ts";
import { PROCESSOR_KIND_METADATA_KEY } from "../mcp-processor-filter.ts";
import { duration, packed, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";

const NAME = "envoy.filters.http.ext_proc";

/** The gRPC metadata that tells a processor serving several gateways which one a stream belongs to. */
export const GATEWAY_METADATA_KEY = "x-portcullis-gateway";
/** The gRPC metadata (under the processor-kind key) of the streams of a chain's attempts. */
export const ATTEMPT_PROCESSOR_KIND = "ai-attempt";

/** How Envoy reaches the processor for a stream of this gateway, of this kind (PROCESSOR_KIND_METADATA_KEY). */
export function processorService(cluster: string, ir: GatewayIR, kind: string) {
  return {
    targetSpecifier: { case: "envoyGrpc" as const, value: { clusterName: cluster } },
    initialMetadata: [
      { key: GATEWAY_METADATA_KEY, value: ir.name },
      { key: PROCESSOR_KIND_METADATA_KEY, value: kind },
    ],
  };
}

/** Long enough for a busy processor, short enough that a stuck one fails the request rather than hangs it. */
const MESSAGE_TIMEOUT_MS = 5_000;

/**
 * What the processor sees of each AI endpoint. Chat: the request body whole (the model alias is
 * in it, and the request is translated as one JSON document), the response body chunk by chunk,
 * so a streamed answer reaches the client event by event and is never held whole. Models: the
 * request headers alone; the processor answers without any upstream.
 */
const MODES = {
  chat: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.BUFFERED, responseHeaderMode: Headers.SEND, responseBodyMode: Body.STREAMED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
  // Embeddings and Anthropic's Messages passthrough: like chat, the request whole, the answer chunk by chunk.
  embeddings: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.BUFFERED, responseHeaderMode: Headers.SEND, responseBodyMode: Body.STREAMED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
  messages: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.BUFFERED, responseHeaderMode: Headers.SEND, responseBodyMode: Body.STREAMED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
  // The Responses API: a chat request inside, its answer translated chunk by chunk like chat's.
  responses: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.BUFFERED, responseHeaderMode: Headers.SEND, responseBodyMode: Body.STREAMED, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
  models: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.NONE, responseHeaderMode: Headers.SKIP, responseBodyMode: Body.NONE, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
} as const;

/** Prompt APIs: the answer whole too, since it becomes `{ "output": … }` (or a 502 when it does not fit the output schema). */
const PROMPT_MODE = { ...MODES.chat, responseBodyMode: Body.BUFFERED } as const;

function chainEntry(ir: GatewayIR) {
  const ai = ir.ai;
  if (!ai) return undefined;
  return {
    ...typedExtension(NAME, ExternalProcessorSchema, {
      grpcService: {
        targetSpecifier: { case: "envoyGrpc", value: { clusterName: ai.processor.cluster } },
        initialMetadata: [{ key: GATEWAY_METADATA_KEY, value: ir.name }],
      },
      // Fail closed: without the processor there is no credential, no translation and no accounting.
      failureModeAllow: false,
      messageTimeout: duration(MESSAGE_TIMEOUT_MS),
      // A mutation Envoy refuses (Host, x-envoy-*) fails the request instead of being dropped silently.
      mutationRules: { disallowIsError: true },
      statPrefix: "ai",
    }),
    // Off unless a route turns it on: only AI routes pay for a processor round trip.
    disabled: true,
  };
}

/** The AI processor: Envoy's ext_proc filter, on for AI routes only (per-route processing modes). */
export const extProcFilter: HttpFilterModule = {
  name: NAME,
  chainEntry,
  perRoute: (route: RouteIR) => (route.ai ? packed(ExtProcPerRouteSchema, { override: { case: "overrides", value: { processingMode: route.ai.prompt ? PROMPT_MODE : MODES[route.ai.endpoint] } } }) : undefined),
};

/**
 * The processor as an upstream filter of a chain's cluster (src/xds/ai-chain-cluster.ts): Envoy runs
 * it once per attempt, after picking the attempt's endpoint, whose metadata (ATTEMPT_ATTRIBUTE) says
 * which attempt it is. The processor sees the request headers (and replaces the body whole: it kept
 * the client's request), and the attempt's response headers for their status; a body only where
 * the status may be a provider's key refusal (src/ai/routing/attempt-exchange.ts).
 */
export function upstreamExtProcFilter(ir: GatewayIR) {
  const ai = ir.ai!;
  // A name of its own: routes' per-filter settings for the AI filter (its chat processing modes) must not reach this one.
  return typedExtension(`${NAME}.ai_attempt`, ExternalProcessorSchema, {
    grpcService: processorService(ai.processor.cluster, ir, ATTEMPT_PROCESSOR_KIND),
    processingMode: { requestHeaderMode: Headers.SEND, requestBodyMode: Body.NONE, responseHeaderMode: Headers.SEND, responseBodyMode: Body.NONE, requestTrailerMode: Headers.SKIP, responseTrailerMode: Headers.SKIP },
    requestAttributes: [ATTEMPT_ATTRIBUTE],
    // An answer with a provider's key-refusal status (Gemini's 400) has its body sent too, to tell a refused key from a bad request.
    allowModeOverride: true,
    failureModeAllow: false,
    messageTimeout: duration(MESSAGE_TIMEOUT_MS),
    // Each attempt goes to another provider: its Host (and path) are the processor's to set.
    mutationRules: { allowAllRouting: true, disallowIsError: true },
    statPrefix: "ai_attempt",
  });
}
