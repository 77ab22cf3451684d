/** The operations HTTP endpoint: /healthz, /readyz, /metrics, /status and the API catalog at /catalog. Binds to 127.0.0.1 by default. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { listenFailure } from "../errors.ts";

export interface AdminSources {
  ready(): boolean;
  status(): unknown;
  readonly metrics: Registry;
  /** The API catalog page of the served gateways. */
  catalog?(): Promise<string>;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

async function route(req: IncomingMessage, res: ServerResponse, sources: AdminSources): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "text/plain", "method not allowed\n");
  const path = new URL(req.url ?? "/", "http://admin").pathname;
  switch (path) {
    case "/healthz":
      return reply(res, 200, "text/plain", "ok\n");
    case "/readyz":
      return sources.ready() ? reply(res, 200, "text/plain", "ready\n") : reply(res, 503, "text/plain", "not ready: a config has no good snapshot yet\n");
    case "/metrics":
      return reply(res, 200, sources.metrics.contentType, await sources.metrics.metrics());
    case "/status":
      return reply(res, 200, "application/json", `${JSON.stringify(sources.status(), null, 2)}\n`);
    case "/catalog":
    case "/catalog/":
      if (sources.catalog) return reply(res, 200, "text/html; charset=utf-8", await sources.catalog());
      break;
  }
  return reply(res, 404, "text/plain", "not found: try /healthz, /readyz, /metrics, /status or /catalog\n");
}

export async function startAdminServer(sources: AdminSources, options: { host?: string; port?: number } = {}): Promise<AdminServer> {
  const server = createServer((req, res) => {
    route(req, res, sources).catch(() => reply(res, 500, "text/plain", "internal error\n"));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(listenFailure("the admin endpoint", `${host}:${options.port ?? 0}`, error)));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
