/**
 * The tool list of an API version published as MCP tools, cut down per caller: Envoy answers the
 * tool-list route (`{path}/tools`, which the JSON-REST bridge asks for each tools/list) with every
 * tool, and the processor keeps those whose REST route admits the caller — the route that would
 * decide the tool's call — judged from the identity headers the gateway set. A list that cannot be
 * read is replaced by an empty one: nothing unfiltered reaches the client.
 */
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { immediateResponse, phaseResponse, readHeaders } from "../ai/ext-proc-messages.ts";
import type { McpRestToolsRouteIR } from "../model/ir.ts";
import type { McpGatewayRuntime } from "./gateways.ts";
import { accessAdmits, callerFrom, type McpCaller } from "./tool-access.ts";
import { filterToolArray } from "./tools-list.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class McpToolListExchange {
  readonly #runtime: McpGatewayRuntime | undefined;
  #endpoint: McpRestToolsRouteIR | undefined;
  #caller: McpCaller | undefined;
  #filtering = false;

  constructor(runtime: McpGatewayRuntime | undefined) {
    this.#runtime = runtime;
  }

  handle(request: ProcessingRequest): ProcessingResponse | undefined {
    const message = request.request;
    switch (message.case) {
      case "requestHeaders": {
        const headers = readHeaders(message.value.headers);
        const path = (headers.get(":path") ?? "").split("?")[0]!;
        this.#endpoint = this.#runtime?.toolLists.get(path);
        if (!this.#endpoint) return immediateResponse(503, JSON.stringify({ error: `The MCP gateway has no tool list at ${path} loaded on this processor.` }));
        this.#caller = callerFrom(headers, this.#runtime!.identityHeaders);
        return phaseResponse("requestHeaders");
      }
      case "responseHeaders":
        // A refusal by an earlier filter (no credential) passes here too, before any request headers were seen.
        this.#filtering = this.#endpoint !== undefined && readHeaders(message.value.headers).get(":status") === "200";
        // The caller's list is shorter than the whole one: its length no longer holds.
        return phaseResponse("responseHeaders", this.#filtering ? { remove: ["content-length"] } : {});
      case "responseBody": {
        if (!this.#filtering) return phaseResponse("responseBody");
        const endpoint = this.#endpoint!;
        const caller = this.#caller!;
        const admitted = new Set(endpoint.tools.filter((tool) => accessAdmits(tool.access, caller)).map((tool) => tool.name));
        const filtered = filterToolArray(decoder.decode(message.value.body), (tool) => admitted.has(tool));
        return phaseResponse("responseBody", { body: encoder.encode(filtered) });
      }
      default:
        return undefined; // nothing else is asked for
    }
  }

  close(): void {}
}
