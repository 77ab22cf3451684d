import { createServer, type Server } from "node:http";
import { listenFailure } from "../errors.ts";

export interface DemoBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The built-in HTTP service `portcullis up` starts for a provider named in `dev.demoBackends`,
 * so an example gateway answers without any other process. It echoes what reached it, which
 * shows what Envoy forwarded (path rewrites, headers the gateway added or removed).
 */
export async function startDemoBackend(name: string, host: string, port: number): Promise<DemoBackend> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = JSON.stringify(
        {
          service: name,
          method: req.method,
          path: req.url,
          // What the gateway forwarded; Envoy already stripped anything it must not pass on.
          headers: Object.fromEntries(Object.entries(req.headers).filter(([key]) => key !== "cookie")),
        },
        null,
        2,
      );
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(listenFailure(`the demo backend "${name}"`, `${host}:${port}`, error)));
    server.listen(port, host, () => resolve());
  });
  return {
    name,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
