/** Building and reading ext_proc messages: header maps, mutations and the responses for each phase. */
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type HeaderMap, HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import {
  type CommonResponseSchema,
  type ProcessingRequest,
  type ProcessingResponse,
  ProcessingResponseSchema,
} from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import type { StatusCode } from "../../generated/envoy/type/v3/http_status_pb.js";

type Common = MessageInitShape<typeof CommonResponseSchema>;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Header names (lower case, as Envoy sends them) → value; values arrive in raw_value. */
export function readHeaders(map: HeaderMap | undefined): Map<string, string> {
  const headers = new Map<string, string>();
  for (const header of map?.headers ?? []) headers.set(header.key.toLowerCase(), header.rawValue.length > 0 ? decoder.decode(header.rawValue) : header.value);
  return headers;
}

/** An attribute the filter was configured to send (request_attributes, response_attributes), as Envoy evaluated it. */
export function processingAttribute(request: ProcessingRequest, name: string): unknown {
  return request.attributes["envoy.filters.http.ext_proc"]?.[name];
}

export const setHeader = (key: string, value: string) => ({
  header: { key, rawValue: encoder.encode(value) },
  appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
});

export interface Mutation {
  readonly set?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
  /** Replaces the body (or this chunk of it); an empty one clears it. */
  readonly body?: Uint8Array;
  readonly clearRouteCache?: boolean;
}

function common(mutation: Mutation): Common {
  const set = Object.entries(mutation.set ?? {});
  const remove = mutation.remove ?? [];
  return {
    ...(set.length > 0 || remove.length > 0 ? { headerMutation: { setHeaders: set.map(([key, value]) => setHeader(key, value)), removeHeaders: [...remove] } } : {}),
    ...(mutation.body !== undefined
      ? { bodyMutation: { mutation: mutation.body.length > 0 ? { case: "body" as const, value: mutation.body } : { case: "clearBody" as const, value: true } } }
      : {}),
    ...(mutation.clearRouteCache ? { clearRouteCache: true } : {}),
  };
}

export type Phase = "requestHeaders" | "requestBody" | "responseHeaders" | "responseBody";

const unchangedAnswer = (phase: Phase) => create(ProcessingResponseSchema, { response: { case: phase, value: {} } });
/** "Continue unchanged" for each phase, and its bytes, built once: most chunks of most answers pass unchanged. */
const UNCHANGED = new Map((["requestHeaders", "requestBody", "responseHeaders", "responseBody"] as const).map((phase) => [phase, unchangedAnswer(phase)]));
const UNCHANGED_BYTES = new Map([...UNCHANGED.values()].map((response) => [response, toBinary(ProcessingResponseSchema, response)]));

/** The bytes of a response built once (the unchanged answers), or undefined for one to encode. */
export const encodedOnce = (response: ProcessingResponse): Uint8Array | undefined => UNCHANGED_BYTES.get(response);

const isUnchanged = (mutation: Mutation) => !mutation.set && (mutation.remove?.length ?? 0) === 0 && mutation.body === undefined && !mutation.clearRouteCache;

/** The answer to one phase's message: continue, with the given changes. */
export function phaseResponse(phase: Phase, mutation: Mutation = {}): ProcessingResponse {
  if (isUnchanged(mutation)) return UNCHANGED.get(phase)!;
  return create(ProcessingResponseSchema, { response: { case: phase, value: { response: common(mutation) } } });
}

/** Answer the client now, without any upstream: Envoy sends this response and stops the request. */
export function immediateResponse(status: number, body: string, contentType = "application/json", headers: Readonly<Record<string, string>> = {}): ProcessingResponse {
  const set = [setHeader("content-type", contentType), ...Object.entries(headers).map(([key, value]) => setHeader(key, value))];
  return create(ProcessingResponseSchema, {
    response: {
      case: "immediateResponse",
      value: { status: { code: status as StatusCode }, headers: { setHeaders: set }, body: encoder.encode(body), details: "portcullis_ai" },
    },
  });
}
