// startEnvoyProcess's readiness probe must recognise its own Envoy: anything else answering on the
// admin port (an Envoy left running by a killed `up`, any other server) must not pass for it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvoyProcess } from "../../src/envoy/process.ts";

describe("Envoy readiness", () => {
  let dir: string;
  let impostor: Server;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-envoy-process-"));
    // Says LIVE to every request, as Envoy's /ready does.
    impostor = createServer((_req, res) => res.end("LIVE\n"));
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", resolve));
    port = (impostor.address() as AddressInfo).port;
  });
  afterAll(async () => {
    impostor.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is not fooled by another server on its admin port", async () => {
    const configPath = join(dir, "bootstrap.json");
    await writeFile(configPath, JSON.stringify({ admin: { address: { socket_address: { address: "127.0.0.1", port_value: port } } } }));
    const envoy = startEnvoyProcess({ configPath, adminPort: port });
    try {
      // Whichever comes first: the probe meeting the impostor, or Envoy failing to bind the port.
      await expect(envoy.ready(15_000)).rejects.toThrow(/answered by a server that is not an Envoy, not by the Envoy just started: another process holds admin port|Envoy exited/);
    } finally {
      await envoy.stop();
    }
  });
});
