/**
 * The AI processor's gRPC server: Envoy's ext_proc filter opens one stream per AI request. It
 * serves every gateway in its registry (the stream's metadata names the gateway) and never opens
 * a connection of its own: providers are reached by Envoy.
 */
import { Server, ServerCredentials, status as GrpcStatus, type ServerDuplexStream } from "@grpc/grpc-js";
import type { ProcessingRequest, ProcessingResponse } from "../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import { listenFailure } from "../errors.ts";
import type { Logger } from "../server/log.ts";
import { GATEWAY_METADATA_KEY } from "../xds/filters/ext-proc.ts";
import { AiExchange, type ExchangeDeps } from "./exchange.ts";
import { extProcServiceDefinition } from "./ext-proc-service.ts";
import type { AiGateways } from "./gateways.ts";

export interface AiProcessorOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly gateways: AiGateways;
  readonly deps: ExchangeDeps;
  readonly log: Logger;
}

export interface AiProcessor {
  readonly port: number;
  close(): Promise<void>;
}

type Call = ServerDuplexStream<ProcessingRequest, ProcessingResponse>;

export async function startAiProcessor(options: AiProcessorOptions): Promise<AiProcessor> {
  const { gateways, deps, log } = options;
  const open = new Set<Call>();

  function process(call: Call): void {
    const gateway = String(call.metadata.get(GATEWAY_METADATA_KEY)[0] ?? "");
    const exchange = new AiExchange(gateways.get(gateway), deps);
    open.add(call);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      open.delete(call);
      exchange.close();
    };
    call.on("data", (request: ProcessingRequest) => {
      let response: ProcessingResponse | undefined;
      try {
        response = exchange.handle(request);
      } catch (error) {
        // Fail closed: Envoy answers the client with an error instead of passing the request on untouched.
        log.error("AI processor failed on a request", { gateway, phase: request.request.case, error: (error as Error).message });
        finish();
        call.emit("error", { code: GrpcStatus.INTERNAL, details: "the AI processor failed on this request" });
        return;
      }
      if (response) call.write(response);
    });
    call.on("end", () => {
      finish();
      call.end();
    });
    call.on("error", finish);
    call.on("close", finish);
    call.on("cancelled", finish);
  }

  const server = new Server({ "grpc.max_receive_message_length": 64 * 1024 * 1024, "grpc.max_send_message_length": 64 * 1024 * 1024, "grpc.enable_channelz": 0 });
  server.addService(extProcServiceDefinition, { Process: process });
  const address = `${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(listenFailure("the AI processor", address, error)) : resolve(bound))),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const call of open) call.end();
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
