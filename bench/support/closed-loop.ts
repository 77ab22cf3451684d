/** A closed-loop HTTP load: a fixed number of GETs in flight, back to back, for a fixed time. */
import { Agent, request } from "node:http";

export interface ClosedLoop {
  /** One GET; resolves with its latency in ms, rejects on a status other than 200. */
  get(port: number, path: string): Promise<number>;
  /** `inFlight` loops sending back to back for `seconds`; the latencies of every request. */
  load(port: number, path: string, seconds: number): Promise<number[]>;
}

export function closedLoop(inFlight: number, host: string): ClosedLoop {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const get = (port: number, path: string) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = request({ host: "127.0.0.1", port, path, agent, headers: { host } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${path}: ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end();
    });
  return {
    get,
    async load(port, path, seconds) {
      const until = performance.now() + seconds * 1000;
      const latencies: number[] = [];
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (performance.now() < until) latencies.push(await get(port, path));
        }),
      );
      return latencies;
    },
  };
}
