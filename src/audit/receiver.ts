/**
 * The access-log receiver (envoy.service.accesslog.v3): Envoy's http_grpc access logger streams
 * batches of entries; each becomes an AuditRecord (record.ts keeps only what a record needs) and
 * goes to the store of the gateway its logger names (log_name, sent on the stream's first message).
 * It answers nothing per entry, so Envoy never waits on it.
 */
import type { ServerReadableStream, sendUnaryData } from "@grpc/grpc-js";
import type { StreamAccessLogsMessage, StreamAccessLogsResponse } from "../../generated/envoy/service/accesslog/v3/als_pb.js";
import { grpcAddress, OpenStreams, startGrpcServer } from "../grpc/server.ts";
import type { Logger } from "../server/log.ts";
import { accessLogServiceDefinition, emptyResponse } from "./als-service.ts";
import { type AuditGateway, auditRecord } from "./record.ts";
import type { AuditStore } from "./store.ts";

export interface AuditReceiverOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The gateway a logger names → its store and what the receiver knows of it; undefined for a gateway not served here. */
  readonly gateway: (name: string) => { readonly store: AuditStore; readonly gateway: AuditGateway } | undefined;
  readonly log: Logger;
}

export interface AuditReceiver {
  readonly port: number;
  readonly address: string;
  /** Entries stored, and dropped (a gateway this receiver does not know, or a TCP entry). */
  stats(): { readonly received: number; readonly dropped: number };
  close(): Promise<void>;
}

/** At most one log line per this many ms about dropped entries. */
const DROP_LOG_INTERVAL_MS = 10_000;

export async function startAuditReceiver(options: AuditReceiverOptions): Promise<AuditReceiver> {
  const streams = new OpenStreams();
  let received = 0;
  let dropped = 0;
  let loggedAt = -Infinity;

  const drop = (count: number, gateway: string) => {
    dropped += count;
    if (Date.now() - loggedAt < DROP_LOG_INTERVAL_MS) return;
    loggedAt = Date.now();
    options.log.warn("dropping access-log entries of a gateway this receiver does not serve", { gateway, dropped });
  };

  function streamAccessLogs(call: ServerReadableStream<StreamAccessLogsMessage, StreamAccessLogsResponse>, callback: sendUnaryData<StreamAccessLogsResponse>): void {
    let logName = "";
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      callback(null, emptyResponse());
    };
    const finish = streams.follow(call, answer);
    call.on("data", (message: StreamAccessLogsMessage) => {
      if (message.identifier) logName = message.identifier.logName;
      const entries = message.logEntries;
      if (entries.case !== "httpLogs") return drop(entries.value?.logEntry.length ?? 0, logName);
      const target = options.gateway(logName);
      if (!target) return drop(entries.value.logEntry.length, logName);
      for (const entry of entries.value.logEntry) target.store.add(auditRecord(logName, entry, target.gateway));
      received += entries.value.logEntry.length;
    });
    call.on("end", () => {
      finish();
      answer();
    });
  }

  const server = await startGrpcServer({
    what: "the audit receiver",
    address: grpcAddress(options.host, options.port),
    services: [{ definition: accessLogServiceDefinition, implementation: { StreamAccessLogs: streamAccessLogs } }],
    streams,
  });
  return {
    port: server.port,
    address: grpcAddress(options.host, server.port),
    stats: () => ({ received, dropped }),
    close: () => server.close(),
  };
}
