/**
 * One MCP request as the MCP processor sees it over one ext_proc stream, after Envoy admitted the
 * caller (the tool rules decide after this filter, and their refusal comes back through it): the request headers (who the caller is; the client's
 * Authorization is replaced by the server's own credential or removed), the whole request body
 * (read strictly: what Envoy's parser let through but a server could read differently is refused
 * here, before the server sees it), and the answer, passed through unchanged unless it answers
 * tools/list, which is filtered to the caller's tools.
 */
import type { HeaderMap } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { phaseResponse, readHeaders } from "../ai/ext-proc-messages.ts";
import type { McpApiIR, McpRuleIR } from "../model/ir.ts";
import type { McpGatewayRuntime } from "./gateways.ts";
import { argumentsHash, type McpAuditDeps, ToolCallAudit } from "./audit.ts";
import { readMcpRequest } from "./message.ts";
import { callerFrom, type McpCaller, mayUse } from "./tool-access.ts";
import { filterListAnswer, type ListShape } from "./tools-list.ts";
import { MCP_RULED, MCP_RULED_KINDS } from "../model/mcp-ruled.ts";
import { headerValues, leniently, refuse, responseCodeDetails } from "./processor-messages.ts";
import { MCP_PREFIX_SEPARATOR } from "../model/resolve-mcp-federation.ts";

/** A tools/list answer is held whole to be filtered; one larger than this is refused, not passed on. */
const MAX_LIST_BYTES = 8 * 1024 * 1024;
const decoder = new TextDecoder();

/** The server a call goes to: the API's one server, or at a federated endpoint the one the tool's prefix names ("" for none). */
function serverOf(api: McpApiIR, tool: string): string {
  if (!api.federation) return api.server;
  const at = tool.indexOf(MCP_PREFIX_SEPARATOR);
  return api.federation.find((server) => at > 0 && server.prefix === tool.slice(0, at))?.server ?? "";
}

/** The list a method answers with and the rules that cut it down, when rules govern what it lists. */
function governedList(api: McpApiIR, method: string): { shape: ListShape; rules: readonly McpRuleIR[] } | undefined {
  for (const kind of MCP_RULED_KINDS) {
    const rules = api[kind];
    const shape = MCP_RULED[kind].lists.find((list) => list.method === method);
    if (rules && shape) return { shape, rules };
  }
  return undefined;
}

export class McpExchange {
  readonly #runtime: McpGatewayRuntime | undefined;
  readonly #call: ToolCallAudit;
  #requestId = "";
  #status = 0;
  #session: string | undefined;
  #httpMethod = "";
  #api: McpApiIR | undefined;
  #caller: McpCaller = { scopes: [], roles: [], groups: [] };
  #headers = new Map<string, string[]>();
  #method: string | undefined;
  #list: { contentType: string; chunks: Uint8Array[]; bytes: number; shape: ListShape; rules: readonly McpRuleIR[] } | undefined;

  constructor(runtime: McpGatewayRuntime | undefined, deps: McpAuditDeps = {}) {
    this.#runtime = runtime;
    this.#call = new ToolCallAudit(deps);
  }

  handle(request: ProcessingRequest): ProcessingResponse | undefined {
    const message = request.request;
    switch (message.case) {
      case "requestHeaders":
        return this.#requestHeaders(message.value.headers);
      case "requestBody":
        return this.#requestBody(message.value.body);
      case "responseHeaders":
        return this.#responseHeaders(readHeaders(message.value.headers), responseCodeDetails(request));
      case "responseBody":
        return this.#responseBody(message.value.body, message.value.endOfStream);
      default:
        return undefined; // trailers are never asked for
    }
  }

  /** The stream ended: a call cut short is still recorded. */
  close(): void {
    this.#record();
  }

  #requestHeaders(map: HeaderMap | undefined): ProcessingResponse {
    const runtime = this.#runtime;
    if (!runtime) return refuse(503, "The MCP gateway is not loaded on this processor yet.");
    this.#headers = headerValues(map);
    const single = new Map([...this.#headers].map(([key, values]) => [key, values.at(-1)!]));
    const path = (single.get(":path") ?? "").split("?")[0]!;
    this.#api = runtime.apis.get(path);
    if (!this.#api) return refuse(404, `No MCP API is served at ${path}.`);
    this.#caller = callerFrom(single, runtime.identityHeaders);
    this.#requestId = single.get("x-request-id") ?? "";
    this.#session = single.get("mcp-session-id");
    this.#httpMethod = single.get(":method") ?? "";
    if (this.#session !== undefined && !runtime.sessions.mayUse(this.#session, this.#caller, this.#api.federation !== undefined)) return refuse(404, "Session not found.");
    // The client's token is its credential for the gateway; the server gets the gateway's own, or none.
    const token = this.#api.bearerToken ? decoder.decode(this.#api.bearerToken.reveal()).trim() : "";
    return phaseResponse("requestHeaders", token ? { set: { authorization: `Bearer ${token}` } } : { remove: ["authorization"] });
  }

  #requestBody(body: Uint8Array): ProcessingResponse {
    const request = readMcpRequest(body, this.#headers);
    if ("refused" in request) {
      const seen = leniently(body);
      if (seen.method === "tools/call") this.#pending(String(seen.tool ?? ""), undefined, { decision: "refused", reason: request.refused });
      this.#status = 400;
      this.#record();
      return refuse(400, `Refused by the gateway: ${request.refused}.`);
    }
    this.#method = request.method;
    if (request.method === "tools/call") this.#pending(request.name ?? "", argumentsHash(request.arguments), { decision: "allowed" });
    return phaseResponse("requestBody");
  }

  #responseHeaders(headers: Map<string, string>, codeDetails: string): ProcessingResponse {
    this.#status = Number(headers.get(":status") ?? 0);
    // The tool rules run after this filter (it sees every call they refuse); their refusal is Envoy's answer, mapped to a JSON-RPC error.
    if (codeDetails.startsWith("rbac_access_denied")) this.#call.amend({ decision: "refused", reason: "no tool rule admits the caller" });
    this.#trackSession(headers.get("mcp-session-id"));
    const list = this.#method === undefined ? undefined : governedList(this.#api!, this.#method);
    if (!list || headers.get(":status") !== "200") return phaseResponse("responseHeaders");
    this.#list = { contentType: headers.get("content-type") ?? "", chunks: [], bytes: 0, ...list };
    // The filtered list is shorter than the server's: its length no longer holds.
    return phaseResponse("responseHeaders", { remove: ["content-length"] });
  }

  #responseBody(chunk: Uint8Array, endOfStream: boolean): ProcessingResponse {
    const list = this.#list;
    if (!list) return phaseResponse("responseBody");
    list.chunks.push(chunk);
    list.bytes += chunk.length;
    if (list.bytes > MAX_LIST_BYTES) throw new Error(`${this.#method} answer larger than ${MAX_LIST_BYTES} bytes`);
    // Held back until the end: no unfiltered part of the list may reach the client.
    if (!endOfStream) return phaseResponse("responseBody", { body: new Uint8Array() });
    const caller = this.#caller;
    const filtered = filterListAnswer(decoder.decode(Buffer.concat(list.chunks)), list.contentType, list.shape, (name) => mayUse(list.rules, name, caller));
    return phaseResponse("responseBody", { body: new TextEncoder().encode(filtered) });
  }

  #pending(tool: string, argumentsSha256: string | undefined, outcome: { decision: "allowed" | "refused"; reason?: string }): void {
    const runtime = this.#runtime!;
    const api = this.#api!;
    const caller = this.#caller;
    this.#call.begin({
      gateway: runtime.name,
      requestId: this.#requestId,
      ...(caller.identity ? { identity: caller.identity } : {}),
      ...(caller.subject ? { subject: caller.subject } : {}),
      ...(caller.consumer ? { consumer: caller.consumer } : {}),
      api: api.name,
      server: serverOf(api, tool),
      tool,
      ...(argumentsSha256 ? { argumentsSha256 } : {}),
      ...outcome,
    });
  }

  #record(): void {
    this.#call.end(this.#status);
  }

  /** A session the server opened (or first seen) belongs to this caller; one it ended is forgotten. */
  #trackSession(issued: string | undefined): void {
    const sessions = this.#runtime!.sessions;
    const session = issued ?? this.#session;
    if (session === undefined || this.#status >= 400) return;
    if (this.#httpMethod === "DELETE") sessions.end(session);
    else sessions.bind(session, this.#caller);
  }
}
