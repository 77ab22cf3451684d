/**
 * The AI processor's gRPC server: Envoy's ext_proc filter opens one stream per AI request. It
 * serves every gateway in its registry (the stream's metadata names the gateway) and never opens
 * a connection of its own: providers are reached by Envoy.
 */
import { status as GrpcStatus, type ServerDuplexStream } from "@grpc/grpc-js";
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { chmodSync, lstatSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.ts";
import { grpcAddress, OpenStreams, startGrpcServer } from "../grpc/server.ts";
import type { AiProcessorAddressIR } from "../model/ir.ts";
import type { Logger } from "../server/log.ts";
import { McpExchange } from "../mcp/exchange.ts";
import type { McpAuditSink } from "../mcp/audit.ts";
import type { McpGateways } from "../mcp/gateways.ts";
import { ATTEMPT_PROCESSOR_KIND, GATEWAY_METADATA_KEY } from "../xds/filters/ext-proc.ts";
import { MCP_TOOL_LIST_PROCESSOR_KIND, PROCESSOR_KIND_METADATA_KEY } from "../xds/mcp-processor-filter.ts";
import { McpToolListExchange } from "../mcp/tool-list-exchange.ts";
import { McpRestCallExchange } from "../mcp/rest-call-exchange.ts";
import { MCP_REST_CALL_PROCESSOR_KIND } from "../xds/mcp-rest-call-filter.ts";
import { MCP_SERVER_PROCESSOR_KIND } from "../xds/mcp-server-credential.ts";
import { McpServerCredentialExchange } from "../mcp/server-credential-exchange.ts";
import { AiExchange, type ExchangeDeps } from "./exchange.ts";
import { extProcServiceDefinition } from "./ext-proc-service.ts";
import type { AiGateways } from "./gateways.ts";
import { AttemptExchange } from "./routing/attempt-exchange.ts";
import { RoutingState } from "./routing/routing-state.ts";

export interface AiProcessorOptions {
  /** A loopback port (0 picks a free one) or a unix socket. */
  readonly address: AiProcessorAddressIR;
  readonly gateways: AiGateways;
  /** The MCP gateways and where their tool calls are audited, for streams of the MCP processor filter (src/mcp). */
  readonly mcp?: { readonly gateways: McpGateways; readonly audit?: McpAuditSink };
  readonly deps: ExchangeDeps;
  readonly log: Logger;
}

export interface AiProcessor {
  /** The port listened on; 0 for a unix socket. */
  readonly port: number;
  close(): Promise<void>;
}

type Call = ServerDuplexStream<ProcessingRequest, ProcessingResponse>;

/**
 * A socket left by a processor that did not stop cleanly is replaced; anything else at the path is
 * not. A missing directory is created for this user alone.
 */
function prepareSocketPath(path: string): void {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isSocket()) throw new UserError(`cannot listen for the AI processor on unix:${path}: a file that is not a socket is there; choose another path`);
  if (existing) rmSync(path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
}

export async function startAiProcessor(options: AiProcessorOptions): Promise<AiProcessor> {
  const { gateways, log } = options;
  // A chained request's streams (the client's, and one per attempt) meet in this processor's routing state.
  const deps: ExchangeDeps = { ...options.deps, routing: options.deps.routing ?? new RoutingState() };
  const streams = new OpenStreams();

  /** Each filter instance (or route) names its kind of stream in the gRPC metadata; the AI filter's carry none. */
  function exchangeFor(kind: string, gateway: string) {
    const mcp = options.mcp?.gateways.get(gateway);
    switch (kind) {
      case "mcp":
        return new McpExchange(mcp, options.mcp?.audit ? { audit: options.mcp.audit } : {});
      case MCP_SERVER_PROCESSOR_KIND:
        return new McpServerCredentialExchange(mcp);
      case MCP_TOOL_LIST_PROCESSOR_KIND:
        return new McpToolListExchange(mcp);
      case MCP_REST_CALL_PROCESSOR_KIND:
        return new McpRestCallExchange(mcp, options.mcp?.audit ? { audit: options.mcp.audit } : {});
      case ATTEMPT_PROCESSOR_KIND:
        return new AttemptExchange(deps.routing!);
      default:
        return new AiExchange(gateways.get(gateway), deps);
    }
  }

  function process(call: Call): void {
    const gateway = String(call.metadata.get(GATEWAY_METADATA_KEY)[0] ?? "");
    const kind = call.metadata.get(PROCESSOR_KIND_METADATA_KEY)[0];
    const exchange = exchangeFor(String(kind ?? ""), gateway);
    let finished = false;
    const finish = streams.follow(call, () => call.end(), () => {
      finished = true;
      exchange.close();
    });
    const failed = (request: ProcessingRequest, error: Error) => {
      // Fail closed: Envoy answers the client with an error instead of passing the request on untouched.
      log.error("AI processor failed on a request", { gateway, phase: request.request.case, error: error.message });
      finish();
      call.emit("error", { code: GrpcStatus.INTERNAL, details: "the AI processor failed on this request" });
    };
    /** An answer still being worked out (a budget reservation in Redis): later messages wait their turn. */
    let pending: Promise<void> | undefined;
    const answer = (request: ProcessingRequest): Promise<void> | undefined => {
      if (finished) return undefined;
      let response: ProcessingResponse | undefined | Promise<ProcessingResponse>;
      try {
        response = exchange.handle(request);
      } catch (error) {
        failed(request, error as Error);
        return undefined;
      }
      if (!(response instanceof Promise)) {
        if (response) call.write(response);
        return undefined;
      }
      return response.then(
        (decided) => void (finished || call.write(decided)),
        (error: Error) => failed(request, error),
      );
    };
    const wait = (next: Promise<void>) => {
      pending = next;
      void next.then(() => {
        if (pending === next) pending = undefined;
      });
    };
    call.on("data", (request: ProcessingRequest) => {
      const earlier = pending;
      if (earlier) return wait(earlier.then(() => answer(request)));
      const started = answer(request);
      if (started) wait(started);
    });
    call.on("end", () => {
      finish();
      call.end();
    });
  }

  const target = options.address;
  if (target.kind === "unix") prepareSocketPath(target.path);
  const server = await startGrpcServer({
    what: "the AI processor",
    address: target.kind === "unix" ? `unix:${target.path}` : grpcAddress(target.host, target.port),
    services: [{ definition: extProcServiceDefinition, implementation: { Process: process } }],
    streams,
    channelOptions: { "grpc.max_receive_message_length": 64 * 1024 * 1024, "grpc.max_send_message_length": 64 * 1024 * 1024 },
  });
  // Only this user may connect: the processor hands every request its provider key.
  if (target.kind === "unix") chmodSync(target.path, 0o600);
  return {
    port: server.port,
    close: async () => {
      await server.close();
      if (target.kind === "unix") rmSync(target.path, { force: true });
    },
  };
}
