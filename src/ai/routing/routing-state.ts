/**
 * What one processor shares between the ext_proc streams of a chained request: the downstream
 * stream (the client's request, its budgets and its answer) registers the request under its
 * x-request-id, which Envoy generates for every request from outside and sends with each attempt;
 * each attempt's upstream stream finds it there. (A header of the processor's own would not do:
 * Envoy hands every attempt the same request headers, so one removed before the first attempt
 * reached the provider would be gone for the next.) An id already in flight is refused, so
 * no request can take another's place.
 */
import type { AiAttemptIR } from "../../model/ir.ts";
import type { OpenAiError } from "../openai-errors.ts";
import type { KeyRefusal } from "../providers/adapter.ts";
import { KeyRotation } from "./key-pool.ts";

/** The header chained requests are found by. */
export const CHAIN_ID_HEADER = "x-request-id";

/** One attempt's request as the provider takes it. */
export interface AttemptRequest {
  readonly headers: Readonly<Record<string, string>>;
  /** Headers an earlier attempt set (another provider's credential) that this one must not send. */
  readonly remove: readonly string[];
  readonly body: Uint8Array;
  /** The path and Host to send it with (the chain's route rewrites neither: its attempts go to different providers). */
  readonly path: string;
  readonly host: string;
  /** How the attempt's provider refuses a key, where not with 401 (the attempt reads such an answer's body to tell). */
  readonly keyRefusal?: KeyRefusal;
}

/** What a chained request tells its attempts, and hears from them. */
export interface ChainedRequest {
  /** Translates and signs the request for attempt `index` of its chain. */
  startAttempt(index: number): AttemptRequest | OpenAiError;
  /** The provider answered attempt `index` with this status (Envoy may retry it still). */
  attemptAnswered(index: number, status: number): void;
  /** Attempt `index` ended without an answer: no connection, a reset, or its attempt timeout. */
  attemptUnanswered(index: number): void;
}

/** How an attempt ended, as the usage record keeps it. */
export interface AttemptOutcome extends Pick<AiAttemptIR, "provider" | "model"> {
  /** Which of the provider's keys, as the pool numbers them from 1 (never the key). */
  readonly key?: number;
  /** The provider's status, or 0 when it never answered. */
  readonly status: number;
  /** Why it ended without an answer. */
  readonly reason?: "no-answer";
}

export class RoutingState {
  readonly keys = new KeyRotation();
  readonly #requests = new Map<string, ChainedRequest>();

  /** False when a request with this id is in flight already (or the id is empty). */
  register(id: string, request: ChainedRequest): boolean {
    if (id === "" || this.#requests.has(id)) return false;
    this.#requests.set(id, request);
    return true;
  }

  find(id: string): ChainedRequest | undefined {
    return this.#requests.get(id);
  }

  forget(id: string): void {
    this.#requests.delete(id);
  }
}
