import { createServer } from "node:net";

/**
 * Test files run in parallel workers, and Envoy's listeners do not share ports (reuse_port is
 * off), so a port one worker was handed and has not bound yet must never go to another. Each
 * worker takes ports from a range of its own, below the kernel's ephemeral range (which outbound
 * connections use), and never hands out the same port twice.
 */
const RANGE = 3000;
const worker = Number(process.env["VITEST_POOL_ID"] ?? process.env["VITEST_WORKER_ID"] ?? 0);
const base = 20_000 + (worker % 4) * RANGE;
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, from this worker's range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < RANGE; attempt++) {
    const port = base + Math.floor(Math.random() * RANGE);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port left in ${base}–${base + RANGE - 1}`);
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}
