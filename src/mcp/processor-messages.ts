/** What the MCP processor's exchanges share: reading headers as Envoy sent them, and refusing a request as JSON-RPC. */
import type { HeaderMap } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { immediateResponse, processingAttribute } from "../ai/ext-proc-messages.ts";
import { RESPONSE_CODE_DETAILS } from "../xds/mcp-processor-filter.ts";

const decoder = new TextDecoder();

/** -32600 Invalid Request: the JSON-RPC answer to a body the gateway will not pass on. */
export function refuse(status: number, message: string): ProcessingResponse {
  return immediateResponse(status, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message } }));
}

/** Every value of each header, repeats kept (a second Mcp-Name must not hide behind the first). */
export function headerValues(map: HeaderMap | undefined): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const header of map?.headers ?? []) {
    const key = header.key.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), header.rawValue.length > 0 ? decoder.decode(header.rawValue) : header.value]);
  }
  return values;
}

/** Envoy's response code details (a response attribute of the MCP processor filter): `via_upstream`, or which filter answered. */
export function responseCodeDetails(request: ProcessingRequest): string {
  const value = processingAttribute(request, RESPONSE_CODE_DETAILS);
  return typeof value === "string" ? value : "";
}


/** The tool a body names when read leniently (JSON.parse, last key wins): for the audit of a refused body only. */
export function leniently(body: Uint8Array): { method?: unknown; tool?: unknown } {
  try {
    const message = JSON.parse(decoder.decode(body)) as { method?: unknown; params?: { name?: unknown } };
    return { method: message.method, tool: message.params?.name };
  } catch {
    return {};
  }
}
