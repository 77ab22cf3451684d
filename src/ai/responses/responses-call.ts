/**
 * One call of the Responses API as the processor handles it, beside the chat exchange it rides
 * on: the request becomes a chat request (or the 400 that refuses it), sent to the chat routes of
 * its provider or chain; the answer, once its status and format are known, is rewritten into the
 * Responses shape chunk by chunk.
 */
import type { ProcessingResponse } from "../../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { immediateResponse, type Mutation, phaseResponse } from "../ext-proc-messages.ts";
import { errorBody, isOpenAiError } from "../openai-errors.ts";
import { ResponsesAnswer } from "./answer.ts";
import { type ResponsesEcho, responsesRequest } from "./request.ts";

export class ResponsesCall {
  #echo: ResponsesEcho | undefined;
  #answer: ResponsesAnswer | undefined;

  /** The chat request, or the answer that refuses the call. */
  chatRequest(received: Uint8Array): Uint8Array | ProcessingResponse {
    const translated = responsesRequest(received);
    if (isOpenAiError(translated)) return immediateResponse(translated.status, errorBody(translated));
    this.#echo = translated.echo;
    return translated.chat;
  }

  /** The headers of the answer: always rewritten, as the Responses object or its own event stream. */
  responseHeaders(alias: string, streamed: boolean, status: number, mutation: Mutation, now: number): ProcessingResponse {
    const events = streamed && status < 400;
    this.#answer = new ResponsesAnswer(alias, this.#echo!, events, now);
    return phaseResponse("responseHeaders", { remove: [...new Set([...(mutation.remove ?? []), "content-length"])], set: { "content-type": events ? "text/event-stream; charset=utf-8" : "application/json" } });
  }

  /** The client's bytes for a chunk of the chat answer. */
  answer(chat: Uint8Array, end: boolean, status: number): ProcessingResponse {
    return phaseResponse("responseBody", { body: this.#answer!.push(chat, end, status) });
  }

  get answering(): boolean {
    return this.#answer !== undefined;
  }
}
