/**
 * One attempt of a chained request, as the processor sees it over the ext_proc stream of the
 * filter on the chain's cluster (an upstream filter: Envoy runs it once per attempt, after it has
 * picked the attempt's endpoint). The endpoint's metadata says which attempt of the chain this is;
 * the processor answers the request headers with the request translated and signed for that
 * attempt's provider, model and key (the body replaced whole, path and Host set), hears the
 * provider's status, and hears when the attempt ended without one.
 */
import { create } from "@bufbuild/protobuf";
import {
  CommonResponse_ResponseStatus,
  type ProcessingRequest,
  type ProcessingResponse,
  ProcessingResponseSchema,
} from "../../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { immediateResponse, phaseResponse, processingAttribute, readHeaders, setHeader } from "../ext-proc-messages.ts";
import { errorBody } from "../openai-errors.ts";
import { CHAIN_ID_HEADER, type ChainedRequest, type RoutingState } from "./routing-state.ts";

/** Where an endpoint of a chain's cluster keeps its attempt's index. */
export const ATTEMPT_METADATA_NAMESPACE = "portcullis.ai";
/** The ext_proc attribute (a CEL expression) that carries it to the processor with the request headers. */
export const ATTEMPT_ATTRIBUTE = `xds.upstream_host_metadata.filter_metadata['${ATTEMPT_METADATA_NAMESPACE}']['attempt']`;

function attemptIndex(request: ProcessingRequest): number | undefined {
  const value = processingAttribute(request, ATTEMPT_ATTRIBUTE);
  const index = typeof value === "string" ? Number(value) : value;
  return typeof index === "number" && Number.isInteger(index) && index >= 0 ? index : undefined;
}

const lost = () =>
  immediateResponse(503, errorBody({ status: 503, type: "server_error", code: "attempt_lost", message: "The gateway lost track of this request between its attempts; retry it." }));

export class AttemptExchange {
  readonly #routing: RoutingState;
  #request: ChainedRequest | undefined;
  #index = -1;
  #answered = false;

  constructor(routing: RoutingState) {
    this.#routing = routing;
  }

  handle(request: ProcessingRequest): ProcessingResponse | undefined {
    const message = request.request;
    if (message.case === "requestHeaders") return this.#start(readHeaders(message.value.headers), attemptIndex(request));
    if (message.case === "responseHeaders") {
      this.#answered = true;
      this.#request?.attemptAnswered(this.#index, Number(readHeaders(message.value.headers).get(":status") ?? 0));
      return phaseResponse("responseHeaders");
    }
    return undefined; // bodies and trailers are never asked for
  }

  /** The stream ended: an attempt that got no status never reached a provider, or the provider never answered. */
  close(): void {
    if (this.#request && !this.#answered) this.#request.attemptUnanswered(this.#index);
  }

  #start(headers: Map<string, string>, index: number | undefined): ProcessingResponse {
    const chained = this.#routing.find(headers.get(CHAIN_ID_HEADER) ?? "");
    // Fail closed (an answer Envoy may retry): without its request, the attempt has nothing to send.
    if (!chained || index === undefined) return lost();
    const attempt = chained.startAttempt(index);
    if ("status" in attempt) return immediateResponse(attempt.status, errorBody(attempt));
    this.#request = chained;
    this.#index = index;
    const set = { ...attempt.headers, ":path": attempt.path, ":authority": attempt.host, "content-type": "application/json", "content-length": String(attempt.body.length) };
    return create(ProcessingResponseSchema, {
      response: {
        case: "requestHeaders",
        value: {
          response: {
            // The request's body is the client's; each attempt sends its own translation instead.
            status: CommonResponse_ResponseStatus.CONTINUE_AND_REPLACE,
            headerMutation: { setHeaders: Object.entries(set).map(([key, value]) => setHeader(key, value)), removeHeaders: [...attempt.remove] },
            bodyMutation: { mutation: { case: "body", value: attempt.body } },
          },
        },
      },
    });
  }
}
