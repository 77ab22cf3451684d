/** The gRPC server that runs ADS streams, optionally behind mTLS with an allow-list of peers. */
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.ts";
import { ServerCredentials, status as GrpcStatus, type ServerDuplexStream } from "@grpc/grpc-js";
import { grpcAddress, OpenStreams, startGrpcServer } from "../grpc/server.ts";
import { writesFrames } from "../grpc/preframed.ts";
import type { AdsContext, Refusal, ResponseSink, SessionOptions } from "./ads-session.ts";
import { adsServiceDefinition } from "./ads-service.ts";
import { DeltaSession } from "./delta-session.ts";
import { isLoopbackPeer } from "./peer-address.ts";
import { denialReason, gatewayDenial, type PeerPolicy } from "./peer-identity.ts";
import { SotwSession } from "./sotw-session.ts";

export interface XdsTlsOptions extends Partial<PeerPolicy> {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA that signs client certificates; clients without one are refused at the handshake. */
  readonly clientCaFile: string;
}

export interface AdsServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly tls?: XdsTlsOptions;
}

export interface AdsServer {
  readonly port: number;
  /** Stops accepting streams, ends the open ones, and resolves when the server is down. */
  close(): Promise<void>;
}

interface Session<Request> {
  handle(request: Request): boolean;
  readonly refusal: Refusal | undefined;
  close(): void;
}

async function readPem(file: string, what: string): Promise<Buffer> {
  const text = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read the xDS ${what} ${file} (${error.code ?? error.message}); check the path`);
  });
  if (!text.includes("-----BEGIN ")) throw new UserError(`the xDS ${what} ${file} is not PEM (no "-----BEGIN" line); pass a PEM file`);
  return text;
}

async function credentials(tls: XdsTlsOptions | undefined): Promise<ServerCredentials> {
  if (!tls) return ServerCredentials.createInsecure();
  // One after another, so the first problem reported is always the same one.
  const cert = await readPem(tls.certFile, "server certificate");
  const key = await readPem(tls.keyFile, "server key");
  const ca = await readPem(tls.clientCaFile, "client CA");
  try {
    return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true);
  } catch (error) {
    throw new UserError(`the xDS TLS files do not form a usable certificate and key (${(error as Error).message}); check that the key matches the certificate`);
  }
}

/** Writes a stream's responses as the frames built once for all streams (see src/grpc/preframed.ts). */
function responseSink(call: ServerDuplexStream<unknown, Buffer>): ResponseSink {
  const frames = writesFrames(call);
  return { write: (response, written) => call.write(frames ? response.frame : response.message, () => written()) };
}

export async function startAdsServer(ctx: AdsContext, options: AdsServerOptions = {}): Promise<AdsServer> {
  const policy: PeerPolicy | undefined = options.tls && {
    allowSpiffe: options.tls.allowSpiffe ?? [],
    allowSan: options.tls.allowSan ?? [],
    ...(options.tls.gatewaysOf ? { gatewaysOf: options.tls.gatewaysOf } : {}),
  };
  const streams = new OpenStreams();

  /**
   * Per stream: with mTLS, which gateways its certificate may fetch (see PeerPolicy.gatewaysOf);
   * without, whether it gets Secrets — only over loopback, since a plaintext stream from another
   * host can be read or impersonated by anyone on the path (serve --insecure-xds allows the rest).
   */
  function sessionOptions(call: ServerDuplexStream<unknown, Buffer>): SessionOptions {
    const peer = call.getPeer();
    if (policy) return { peer, authorize: (gateway) => gatewayDenial(policy, call.getAuthContext().sslPeerCertificate, gateway) };
    return isLoopbackPeer(peer) ? { peer } : { peer, withholdSecrets: "plaintext xDS stream from another host: Secrets (TLS keys) are sent only over mTLS or loopback" };
  }

  function run<Request>(call: ServerDuplexStream<Request, Buffer>, session: Session<Request>): void {
    const peer = call.getPeer();
    if (policy) {
      const reason = denialReason(policy, call.getAuthContext().sslPeerCertificate);
      if (reason) {
        ctx.log.warn("refused an xDS stream: its client certificate is not allowed", { peer, reason });
        session.close();
        call.emit("error", { code: GrpcStatus.PERMISSION_DENIED, details: `xDS access denied: ${reason}` });
        return;
      }
    }
    const finish = streams.follow(call, () => call.end(), () => session.close());
    call.on("data", (request: Request) => {
      if (!session.handle(request)) {
        finish();
        call.emit("error", session.refusal);
      }
    });
    call.on("end", () => {
      finish();
      call.end();
    });
  }

  const implementation = {
    StreamAggregatedResources: (call: ServerDuplexStream<Parameters<SotwSession["handle"]>[0], Buffer>) =>
      run(call, new SotwSession(ctx, responseSink(call), sessionOptions(call))),
    DeltaAggregatedResources: (call: ServerDuplexStream<Parameters<DeltaSession["handle"]>[0], Buffer>) =>
      run(call, new DeltaSession(ctx, responseSink(call), sessionOptions(call))),
  };
  return startGrpcServer({
    what: "xDS",
    address: grpcAddress(options.host ?? "127.0.0.1", options.port ?? 0),
    credentials: await credentials(options.tls),
    services: [{ definition: adsServiceDefinition, implementation }],
    channelOptions: { "grpc.max_send_message_length": -1, "grpc.max_receive_message_length": 16 * 1024 * 1024 },
    streams,
  });
}
