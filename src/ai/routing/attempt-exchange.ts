/**
 * One attempt of a chained request, as the processor sees it over the ext_proc stream of the
 * filter on the chain's cluster (an upstream filter: Envoy runs it once per attempt, after it has
 * picked the attempt's endpoint). The endpoint's metadata says which attempt of the chain this is;
 * the processor answers the request headers with the request translated and signed for that
 * attempt's provider, model and key (the body replaced whole, path and Host set), hears the
 * provider's status, and hears when the attempt ended without one. A provider that refuses a key
 * with another status than 401 (Gemini's 400 API_KEY_INVALID) has that answer's body read: a
 * refusal goes on to Envoy as a 401, so Envoy retries it with the next key or target.
 */
import { create } from "@bufbuild/protobuf";
import {
  CommonResponse_ResponseStatus,
  type ProcessingRequest,
  type ProcessingResponse,
  ProcessingResponseSchema,
} from "../../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { ProcessingMode_BodySendMode as Body } from "../../../generated/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js";
import { immediateResponse, phaseResponse, processingAttribute, readHeaders, setHeader } from "../ext-proc-messages.ts";
import type { KeyRefusal } from "../providers/adapter.ts";
import { errorBody } from "../openai-errors.ts";
import { KEY_REFUSED_STATUS } from "./chains.ts";
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

/** Continue, and send this answer's body whole (allow_mode_override on the attempt filter). */
const readBody = () => create(ProcessingResponseSchema, { response: { case: "responseHeaders", value: {} }, modeOverride: { responseBodyMode: Body.BUFFERED } });

function parsed(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

const lost = () =>
  immediateResponse(503, errorBody({ status: 503, type: "server_error", code: "attempt_lost", message: "The gateway lost track of this request between its attempts; retry it." }));

export class AttemptExchange {
  readonly #routing: RoutingState;
  #request: ChainedRequest | undefined;
  #index = -1;
  #answered = false;
  #keyRefusal: KeyRefusal | undefined;
  /** The status of an answer whose body is being read for a key refusal. */
  #held: number | undefined;

  constructor(routing: RoutingState) {
    this.#routing = routing;
  }

  handle(request: ProcessingRequest): ProcessingResponse | undefined {
    const message = request.request;
    if (message.case === "requestHeaders") return this.#start(readHeaders(message.value.headers), attemptIndex(request));
    if (message.case === "responseHeaders") {
      this.#answered = true;
      const status = Number(readHeaders(message.value.headers).get(":status") ?? 0);
      if (status === this.#keyRefusal?.status && !message.value.endOfStream) {
        this.#held = status;
        return readBody();
      }
      this.#request?.attemptAnswered(this.#index, status);
      return phaseResponse("responseHeaders");
    }
    if (message.case === "responseBody" && this.#held !== undefined) return this.#judgeRefusal(message.value.body);
    return undefined; // other bodies and trailers are never asked for
  }

  /** The whole body of an answer with the provider's key-refusal status: a refusal becomes a 401, which Envoy retries. */
  #judgeRefusal(body: Uint8Array): ProcessingResponse {
    const refused = this.#keyRefusal!.refused(parsed(body));
    this.#request?.attemptAnswered(this.#index, refused ? KEY_REFUSED_STATUS : this.#held!);
    this.#held = undefined;
    return refused ? phaseResponse("responseBody", { set: { ":status": String(KEY_REFUSED_STATUS) } }) : phaseResponse("responseBody");
  }

  /** The stream ended: an attempt that got no status never reached a provider, or the provider never answered. */
  close(): void {
    if (this.#request && !this.#answered) this.#request.attemptUnanswered(this.#index);
    // Ended before its body could be read: the status the provider gave is all there is.
    if (this.#held !== undefined) this.#request?.attemptAnswered(this.#index, this.#held);
  }

  #start(headers: Map<string, string>, index: number | undefined): ProcessingResponse {
    const chained = this.#routing.find(headers.get(CHAIN_ID_HEADER) ?? "");
    // Fail closed (an answer Envoy may retry): without its request, the attempt has nothing to send.
    if (!chained || index === undefined) return lost();
    const attempt = chained.startAttempt(index);
    if ("status" in attempt) return immediateResponse(attempt.status, errorBody(attempt));
    this.#request = chained;
    this.#index = index;
    this.#keyRefusal = attempt.keyRefusal;
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
