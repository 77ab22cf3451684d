import { createServer, type Server } from "node:http";
import { listenFailure } from "../errors.ts";
import { demoLlmAnswer } from "./demo-llm.ts";

export interface DemoBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What a demo backend is: an echo service, or a model behind an OpenAI-compatible API (src/dev/demo-llm.ts). */
export type DemoBackendKind = "echo" | "openai-compatible";

/**
 * The built-in HTTP service `portcullis up` starts for a provider named in `dev.demoBackends`,
 * so an example gateway answers without any other process. A service provider's echoes what
 * reached it, which shows what Envoy forwarded (path rewrites, headers the gateway added or
 * removed); an `openai-compatible` provider's is the demo model.
 */
export async function startDemoBackend(name: string, host: string, port: number, kind: DemoBackendKind = "echo"): Promise<DemoBackend> {
  const server: Server = createServer((req, res) => {
    if (kind === "openai-compatible") {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => demoLlmAnswer(req.method ?? "", req.url ?? "/", Buffer.concat(chunks).toString("utf8"), res));
      return;
    }
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
