/**
 * What every Portcullis gRPC server shares (ADS, the AI processor, the audit receiver, …): bind
 * with a located error, follow long-lived streams so shutdown can end them, and a graceful stop
 * that a stream cannot hold open. Services are hand-declared (see e.g. src/ai/ext-proc-service.ts).
 */
import { type ChannelOptions, Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { listenFailure } from "../errors.ts";

export interface GrpcService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /** What listens, for errors: "the AI processor", "xDS", … */
  readonly what: string;
  /** `host:port` (see grpcAddress) or `unix:/path`. */
  readonly address: string;
  readonly services: readonly GrpcService[];
  /** Plaintext unless given. */
  readonly credentials?: ServerCredentials;
  /** grpc-js channel options; channelz is always off (nothing serves it, and it costs memory per stream). */
  readonly channelOptions?: ChannelOptions;
  /** The streams the services follow: ended first when the server stops. */
  readonly streams?: OpenStreams;
}

/** How a followed stream is ended when the server stops: `call.end()` for a duplex stream, the callback for a client stream. */
export type EndStream = () => void;

/** The long-lived streams a server has open, so that stopping it can end them. */
export class OpenStreams {
  readonly #open = new Map<NodeJS.EventEmitter, EndStream>();

  /**
   * Follows a stream: `onFinish` runs once, whichever way it ends (error, close, cancel, or the
   * handler calling the returned function, e.g. on "end"). Stopping the server calls `end`.
   */
  follow(call: NodeJS.EventEmitter, end: EndStream, onFinish?: () => void): () => void {
    this.#open.set(call, end);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.#open.delete(call);
      onFinish?.();
    };
    call.on("error", finish);
    call.on("close", finish);
    call.on("cancelled", finish);
    return finish;
  }

  get size(): number {
    return this.#open.size;
  }

  endAll(): void {
    for (const end of [...this.#open.values()]) end();
  }
}

export interface RunningGrpcServer {
  /** The port bound (0 for a unix socket). */
  readonly port: number;
  /** Ends the open streams, stops accepting, and resolves when the server is down (forced after a second). */
  close(): Promise<void>;
}

/** How long a graceful stop may take before open streams are cut. */
const FORCE_SHUTDOWN_MS = 1000;

/** `host:port`, with an IPv6 host in brackets. */
export function grpcAddress(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({ ...options.channelOptions, "grpc.enable_channelz": 0 });
  for (const service of options.services) server.addService(service.definition, service.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, options.credentials ?? ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(listenFailure(options.what, options.address, error)) : resolve(bound),
    ),
  );
  return {
    port: options.address.startsWith("unix:") ? 0 : port,
    close: () =>
      new Promise<void>((resolve) => {
        options.streams?.endAll();
        server.tryShutdown(() => resolve());
        // Streams are long-lived by design; do not let one hold shutdown open.
        setTimeout(() => server.forceShutdown(), FORCE_SHUTDOWN_MS).unref();
      }),
  };
}
